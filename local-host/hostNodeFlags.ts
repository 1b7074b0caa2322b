/**
 * The flags node runs the app with: `npm run local` (package.json), the benchmarks' host (bench/e2e/hostChild.ts) and
 * the worker on Azure (`languageWorkers__node__arguments`, infra/modules/functionApp.bicep); test/infra and
 * local-host/hostNodeFlags.test.ts keep the three equal.
 *
 * V8's young generation with 64 MB semi-spaces instead of the default 16 MB: a batch allocates megabytes of
 * short-lived JSON text and partials while its operations are in flight, and with small semi-spaces much of it
 * survives two scavenges, is promoted and must wait for the slower old-generation collector. Measured in the
 * round-robin replay (docs/explanation/benchmarks.md): about 11 % less main-thread CPU per event. Costs up to
 * ~150 MB more memory at peak (two semi-spaces and the new large-object space), well within a Flex Consumption
 * instance's 2 GB.
 */
export const HOST_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
