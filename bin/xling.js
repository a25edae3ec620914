#!/usr/bin/env node
// The xling command. OpenBLAS must stay single-threaded under libtorch's own thread
// pool (both on the same cores halve the speed), and it reads this variable when the
// addon loads, so it is set before anything imports the addon.
process.env.OPENBLAS_NUM_THREADS ??= "1";
const { main } = await import("../dist/src/cli/main.js");
process.exitCode = await main(process.argv.slice(2));
