/**
 * The functions of every HTTP route: importing this file registers them. Each module below registers its function(s) when
 * first loaded; package.json `main` (a glob over dist/src/functions) loads them too, and Node's module cache runs each
 * once. Kept in file-name order, the order the glob loads them, so registration order does not depend on which loads
 * first. A new module that registers a function is added here (test/architecture checks it).
 */
import './dashboard';
import './deadLetters';
import './deleteStream';
import './getAnalysis';
import './health';
import './listAlerts';
import './listAnalyses';
import './metrics';
import './metricsSeries';
import './openApi';
import './pipelines';
import './replay';
import './startAnalysis';
import './streams';
import './testPipeline';
