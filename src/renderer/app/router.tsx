import type { JSX } from 'react';
import type { Route } from '../../shared/app/routes';
import { FrameworksPage } from '../features/frameworks/frameworks-page';
import { HomePage } from '../features/home/home-page';
import { JobsPage } from '../features/jobs/jobs-page';
import { KernelPage } from '../features/kernel/kernel-page';
import { ModelsPage } from '../features/models/models-page';
import { OsPage } from '../features/os/os-page';
import { ReflashPage } from '../features/reflash/reflash-page';
import { RepoPage } from '../features/repo/repo-page';

// One page per route. Each page owns its keys (usePrimaryEnter) and moves focus to its heading when it opens
// (useFocusHeading); the route itself is kept by main (app.saveUiState), so a restart opens the same page.

const PAGES: Record<Route, () => JSX.Element> = {
  home: HomePage,
  reflash: ReflashPage,
  jobs: JobsPage,
  repo: RepoPage,
  frameworks: FrameworksPage,
  models: ModelsPage,
  os: OsPage,
  kernel: KernelPage,
};

export function Router({ route }: { route: Route }) {
  const Page = PAGES[route];
  return <Page key={route} />;
}
