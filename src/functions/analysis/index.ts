/**
 * The functions of analysis: its (orchestrations, activities, the schedule timer): importing this file registers them. Each module below registers its function(s) when
 * first loaded; package.json `main` (a glob over dist/src/functions) loads them too, and Node's module cache runs each
 * once. Kept in file-name order, the order the glob loads them, so registration order does not depend on which loads
 * first. A new module that registers a function is added here (test/architecture checks it).
 */
import './analyzeChunk';
import './analyzeStreamGroup';
import './analyzeStreams';
import './finalizeReport';
import './listJobStreams';
import './raiseAlerts';
import './scheduleAnalysis';
