/**
 * Synthetic club names: plausible, UTF-8 (some accented), and with the stray spaces real
 * exports keep (`"Avance Synergie "`, `"Sixty Minutes Club   #8010"`).
 */
import type { Rng } from './rng.ts'

const PLACES = [
  'Lakeside',
  'Harbourfront',
  'Riverside',
  'Northgate',
  'Cedar Hill',
  'Maple Ridge',
  'Sunrise',
  'Downtown',
  'Westbrook',
  'Bayview',
  'Granite Peak',
  'Oakwood',
  'Summit',
  'Clearwater',
  'Pinecrest',
  'Eastside',
  'Valley',
  'Silver Lake',
  'Ironbridge',
  'Meadowlands',
]
const ACCENTED = [
  'Orléans',
  'Montréal',
  'Zürich',
  'São Paulo',
  'Malmö',
  'Québec',
  'Genève',
  'Kraków',
  'Besançon',
  'Córdoba',
]
const SUFFIXES = [
  'Toastmasters Club',
  'Toastmasters',
  'Speakers Club',
  'Orators',
  'Communicators',
  'Speak Easy',
  'Leaders Club',
  'Talkers',
]
const STANDALONE = [
  'Les Maîtres de la Parole',
  'Éloquence Plus',
  'Avance Synergie',
  'Voix Française',
  'Café Conversations',
  'Night Hawks Club',
  'Morning Sun Club',
  "Let's Talk Business",
  'Quiet Hours Club',
  'Lunch Bunch Speakers',
]

export function generateClubName(rng: Rng, clubNumber: string): string {
  const roll = rng.next()
  let name: string
  if (roll < 0.08) name = rng.pick(STANDALONE)
  else if (roll < 0.18) name = `${rng.pick(ACCENTED)} ${rng.pick(SUFFIXES)}`
  else name = `${rng.pick(PLACES)} ${rng.pick(SUFFIXES)}`
  return addStraySpaces(rng, name, clubNumber)
}

function addStraySpaces(rng: Rng, name: string, clubNumber: string): string {
  const roll = rng.next()
  if (roll < 0.03) return `${name} `
  if (roll < 0.05) return name.replace(' ', '  ')
  if (roll < 0.06) return `${name}   #${String(Number(clubNumber))}`
  return name
}
