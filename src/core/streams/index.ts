export { decodeStreamKey, encodeStreamKey, MAX_STREAM_KEY_BYTES, streamKeyProblem } from './streamKey';
