export type { SessionBounds, SessionSpec } from './sessions';
export { mergeSessionInto, periodEnd, sameSession, sessionFragments } from './sessions';
export type { WindowBounds, WindowSpec } from './windows';
export { MAX_EVENT_TIME, parseWindowKey, WINDOW_KEY_DIGITS, windowKey, windowsFor } from './windows';
