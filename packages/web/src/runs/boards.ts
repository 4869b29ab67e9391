import { useSyncExternalStore } from 'react';
import { api } from '../api/http.js';
import { getSessions } from '../api/metadata.js';
import type { RunDetail } from '@minke/contract';
import { RunBoard, type RunMemory } from './run-board.js';
import type { LiveSession } from './run-state.js';
import type { RunMonitor } from './run-monitor.js';

const KEY = 'minke.runs.';
const CLEARED_KEY = 'minke.cleared.';

/** Runs followed on a model's list, per browser tab: a reload resumes monitoring. */
const tabMemory: RunMemory = {
  load: (model) => loadIds(KEY + model),
  save: (model, ids) => saveIds(KEY + model, ids),
  loadCleared: (model) => loadIds(CLEARED_KEY + model),
  saveCleared: (model, ids) => saveIds(CLEARED_KEY + model, ids),
};

function loadIds(key: string): number[] {
  try {
    const ids = JSON.parse(sessionStorage.getItem(key) ?? '[]') as unknown;
    return Array.isArray(ids) ? ids.filter((id): id is number => Number.isInteger(id)) : [];
  } catch {
    return [];
  }
}

function saveIds(key: string, ids: readonly number[]): void {
  try {
    sessionStorage.setItem(key, JSON.stringify(ids));
  } catch {
    // private mode or full storage: monitoring still works, it just does not survive a reload
  }
}

const boards = new Map<string, RunBoard>();

/** The board of a model's list; the same one while the page lives, so runs go on in the background. */
export function boardFor(model: string): RunBoard {
  let board = boards.get(model);
  if (!board) {
    board = new RunBoard(model, { fetchRun: (id) => api<RunDetail>(`/api/runs/${id}`) }, tabMemory);
    boards.set(model, board);
    board.restore();
    const named = board;
    getSessions(model).then(
      (list) => named.setVerboseNames(list.map((s) => [s.name, s.verboseName])),
      () => undefined, // names stay as they are
    );
  }
  return board;
}

/** Forgets every board (logout: the next user must not see these runs). */
export function clearBoards(): void {
  for (const board of boards.values()) board.clear();
  boards.clear();
}

/** Re-renders on any change of the board (the summary bar). */
export function useBoardVersion(board: RunBoard): number {
  return useSyncExternalStore(
    (listener) => board.subscribe(listener),
    () => board.version,
  );
}

/** Re-renders when runs are added or cleared, not on every event (the list around the rows). */
export function useBoardRuns(board: RunBoard): string {
  return useSyncExternalStore(
    (listener) => board.subscribe(listener),
    () => board.runs.map((m) => m.runId).join(','),
  );
}

/** The newest live session on an object; re-renders only when that session changes. */
export function useLiveSession(
  board: RunBoard,
  objectId: number,
): { monitor: RunMonitor; live: LiveSession } | undefined {
  useSyncExternalStore(
    (listener) => board.subscribe(listener),
    () => {
      const found = board.session(objectId);
      return found ? `${found.monitor.runId}:${found.live.version}` : '';
    },
  );
  return board.session(objectId);
}
