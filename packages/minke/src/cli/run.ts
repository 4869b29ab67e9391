// Entry point for running the CLI from source (tests, development): node --import tsx src/cli/run.ts
import { main } from './main.js';

await main(process.argv);
