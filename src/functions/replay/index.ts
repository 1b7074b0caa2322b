/**
 * The replay feature registers no function of its own: POST /api/replay (src/functions/api/replay.ts) runs it. Its
 * modules are a library: predictOutcomes (what a replay would do) and replayDeadLetters (doing it).
 */
export { predictOutcomes } from './predictOutcomes';
export { replayDeadLetters } from './replayDeadLetters';
