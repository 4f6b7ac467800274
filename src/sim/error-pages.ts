/**
 * Non-CSV bodies the dashboard is known to send (docs/upstream.md#empty-and-non-csv-answers): the ASP.NET error page
 * (HTTP 200, ~8 KB), IIS's "Object moved" redirect body and the URL Rewrite 500.
 */

export const URL_REWRITE_ERROR_BODY = 'URL Rewrite Module Error.'

export function errorPageLocation(aspxErrorPath: string): string {
  return `/error.aspx?aspxerrorpath=${aspxErrorPath}`
}

export function objectMovedHtml(location: string): string {
  return (
    '<html><head><title>Object moved</title></head><body>\r\n' +
    `<h2>Object moved to <a href="${escapeHtml(location)}">here</a>.</h2>\r\n` +
    '</body></html>\r\n'
  )
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
}

/** Deterministic filler standing in for the page's __VIEWSTATE blob (keeps the ~8 KB size). */
function viewState(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[(i * 37 + 11) % alphabet.length]
  return out
}

/** The page `/error.aspx` serves with HTTP 200. `aspxErrorPath` as in the query string. */
export function errorPageHtml(aspxErrorPath: string): string {
  const action = `./error.aspx?aspxerrorpath=${encodeURIComponent(aspxErrorPath).toLowerCase()}`
  return [
    '',
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
    '',
    '<html xmlns="http://www.w3.org/1999/xhtml">',
    '<head><title>',
    '\tToastmasters International',
    '</title><meta http-equiv="X-UA-Compatible" content="IE=edge" />',
    '<link href="css/dashboard.css" rel="stylesheet" type="text/css" /></head>',
    '<body>',
    `    <form method="post" action="${escapeHtml(action)}" id="form1">`,
    '<div class="aspNetHidden">',
    `<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUK${viewState(6800)}" />`,
    '</div>',
    '',
    '<div class="aspNetHidden">',
    '\t<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="A3B9C0E1" />',
    '</div>',
    '    <div id="header"><a href="/"><img src="images/ti-logo.png" alt="Toastmasters International" /></a></div>',
    '    <div id="content">',
    '        <h1>An error has occured please report this</h1>',
    '        <p>We are sorry, but the page you requested could not be displayed.</p>',
    '        <p><a href="/">Return to the dashboard home page</a></p>',
    '    </div>',
    '    </form>',
    '</body>',
    '</html>',
    '',
  ].join('\r\n')
}

export function serverErrorHtml(status: number): string {
  const title =
    status === 503 ? 'Service Unavailable' : status === 502 ? 'Bad Gateway' : 'Server Error'
  return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n<HTML><HEAD><TITLE>${title}</TITLE></HEAD><BODY><h2>${title}</h2><hr><p>HTTP Error ${status}. The service is unavailable.</p></BODY></HTML>\r\n`
}

export function notFoundHtml(): string {
  return "<html><head><title>The resource cannot be found.</title></head><body><h1>Server Error in '/' Application.</h1><h2><i>The resource cannot be found.</i></h2></body></html>\r\n"
}
