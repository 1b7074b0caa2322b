import { createMemoryStores } from '../../src/storage/createStores';
import { defineStoresContract } from './storesContract';

defineStoresContract('memory', async (options) => createMemoryStores(options));
