/**
 * The functions of the stream entity and the idle-flush timer: importing this file registers them. Each module below registers its function(s) when
 * first loaded; package.json `main` (a glob over dist/src/functions) loads them too, and Node's module cache runs each
 * once. Kept in file-name order, the order the glob loads them, so registration order does not depend on which loads
 * first. A new module that registers a function is added here (test/architecture checks it).
 */
import './flushIdleStreams';
import './streamEntity';
