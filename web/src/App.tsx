/** The app's providers and routes. Views other than the list load on first use, keeping the first view small. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { User, UserManager } from 'oidc-client-ts';
import { lazy, useState } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiError } from './api/problem.ts';
import { AuthProvider } from './auth/AuthContext.tsx';
import type { ApiSession } from './auth/apiSession.ts';
import type { AppConfig } from './auth/session.ts';
import { Layout } from './components/Layout.tsx';
import { ListView } from './list/ListView.tsx';
import { NotFound } from './views/NotFound.tsx';

const BoardView = lazy(() => import('./board/BoardView.tsx'));
const TaskView = lazy(() => import('./task/TaskView.tsx'));
const NewTaskView = lazy(() => import('./task/NewTaskView.tsx'));

/** Errors the server decided (4xx) are not retried; lost connections and 5xx are, twice. */
const retry = (failures: number, error: unknown) =>
  failures < 2 && !(error instanceof ApiError && error.status < 500);

/** Created once the address is final (after a sign-in redirect has been finished in main.tsx). */
const createRouter = () =>
  createBrowserRouter(
    [
      {
        element: <Layout />,
        children: [
          { index: true, element: <ListView /> },
          { path: 'board', element: <BoardView /> },
          { path: 'tasks/new', element: <NewTaskView /> },
          { path: 'tasks/:id', element: <TaskView /> },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
    { basename: '/app' },
  );

interface Props {
  manager: UserManager;
  config: AppConfig;
  user: User;
  session: ApiSession;
}

export function App({ manager, config, user, session }: Props) {
  const [router] = useState(createRouter);
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { retry, staleTime: 10_000, refetchOnWindowFocus: true },
          mutations: { retry: false },
        },
      }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <AuthProvider manager={manager} config={config} initialUser={user} session={session}>
        <RouterProvider router={router} />
      </AuthProvider>
    </QueryClientProvider>
  );
}
