import { createMemoryStores } from '../../src/storage/createStores';
import { defineReportAlertContract } from './reportAlertContract';
import { defineStoresContract } from './storesContract';

defineStoresContract('memory', async (options) => createMemoryStores(options));
defineReportAlertContract('memory', async () => createMemoryStores());
