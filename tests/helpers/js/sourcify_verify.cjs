// Verifies every artifact in a deployments/<chainId>/ folder with Sourcify's own library
// (lib-sourcify) against a node, offline: the compiler is the pinned solc-js from node_modules.
// Usage: node sourcify_verify.cjs RPC_URL CHAIN_ID ARTIFACTS_DIR; prints
// {"<Contract>": {"runtimeMatch": ..., "creationMatch": ...}} as JSON.
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require("solc");
const { SolidityCompilation, SourcifyChain, Verification } = require("@ethereum-sourcify/lib-sourcify");

class PinnedSolc {
  async compile(version, input) {
    if (!solc.version().startsWith(version.replace(/^v/, ""))) {
      throw new Error(`asked for solc ${version}, node_modules has ${solc.version()}`);
    }
    return JSON.parse(solc.compile(JSON.stringify(input)));
  }
}

async function main() {
  const [rpc, chainId, dir] = process.argv.slice(2);
  const chain = new SourcifyChain({ name: "anvil", chainId: Number(chainId), rpcs: [{ rpc }], supported: true });
  const results = {};
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  for (const file of files) {
    const artifact = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const input = JSON.parse(fs.readFileSync(path.join(dir, "solcInputs", `${artifact.solcInputHash}.json`), "utf8"));
    const name = path.basename(file, ".json");
    const compilation = new SolidityCompilation(new PinnedSolc(), artifact.compiler, input, {
      path: artifact.sourceName,
      name: JSON.parse(artifact.metadata).settings.compilationTarget[artifact.sourceName],
    });
    const verification = new Verification(compilation, chain, artifact.address, artifact.transactionHash);
    try {
      await verification.verify();
      results[name] = { runtimeMatch: verification.status.runtimeMatch, creationMatch: verification.status.creationMatch };
    } catch (err) {
      results[name] = { error: `${err.code || ""} ${err.message}` };
    }
  }
  process.stdout.write(JSON.stringify(results) + "\n");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
