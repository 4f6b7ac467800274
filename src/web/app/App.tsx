import { ActiveJobs } from '../backfill/ActiveJobs.tsx'
import { BackfillButton } from '../backfill/BackfillButton.tsx'
import { JobHistory } from '../backfill/JobHistory.tsx'
import { CoverageView } from '../coverage/CoverageView.tsx'
import { ConfiguredDistrictsEditor } from '../districts/ConfiguredDistrictsEditor.tsx'
import { AllDistrictsTrend } from '../history/AllDistrictsTrend.tsx'
import { DistrictHistory } from '../history/DistrictHistory.tsx'
import { RefreshPanel } from '../refresh/RefreshPanel.tsx'
import { Header } from './Header.tsx'
import { Link, useRoute } from './navigation.tsx'

export function App() {
  const route = useRoute()
  return (
    <>
      <Header route={route} />
      <main>
        {route.page === 'district' ? (
          <DistrictPage key={route.districtId} districtId={route.districtId} />
        ) : (
          <BackfillPage />
        )}
      </main>
    </>
  )
}

function BackfillPage() {
  return (
    <>
      <h1 className="visually-hidden">Backfill</h1>
      <div className="layout">
        <div className="layout__side">
          <BackfillButton />
          <RefreshPanel />
          <ConfiguredDistrictsEditor />
        </div>
        <div className="layout__main">
          <ActiveJobs />
        </div>
      </div>
      <AllDistrictsTrend />
      <CoverageView />
      <JobHistory />
    </>
  )
}

function DistrictPage({ districtId }: { districtId: string }) {
  return (
    <>
      <p className="breadcrumb">
        <Link to={{ page: 'backfill' }}>All districts</Link> › District {districtId}
      </p>
      <h1 className="page-title">District {districtId}</h1>
      <DistrictHistory districtId={districtId} />
      <div className="layout">
        <div className="layout__side">
          <BackfillButton districtId={districtId} />
        </div>
        <div className="layout__main">
          <ActiveJobs districtId={districtId} />
        </div>
      </div>
      <CoverageView districtIds={[districtId]} />
      <JobHistory districtId={districtId} />
    </>
  )
}
