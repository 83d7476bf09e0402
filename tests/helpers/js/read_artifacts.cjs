// Loads deployments/<chainId>/<Contract>.json artifacts with ethers v6 alone and reads every
// view function without arguments that returns one value.
// Usage: node read_artifacts.cjs RPC_URL ARTIFACTS_DIR; prints
// {"<Contract>": {"address": ..., "unsafeNumbers": [...], "receipt": {...}, "views": {"fn": "value"}}}.
"use strict";
const fs = require("fs");
const path = require("path");
const { Contract, JsonRpcProvider } = require("ethers");

function unsafeNumbers(value, where, out) {
  if (typeof value === "number" && !Number.isSafeInteger(value)) out.push(where);
  else if (Array.isArray(value)) value.forEach((v, i) => unsafeNumbers(v, `${where}[${i}]`, out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) unsafeNumbers(v, `${where}.${k}`, out);
  return out;
}

function show(value) {
  return typeof value === "string" ? value : value.toString();
}

async function main() {
  const [rpc, dir] = process.argv.slice(2);
  const provider = new JsonRpcProvider(rpc, undefined, { staticNetwork: true });
  const results = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const artifact = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const contract = new Contract(artifact.address, artifact.abi, provider);
    const receipt = await provider.getTransactionReceipt(artifact.transactionHash);
    const views = {};
    for (const fragment of contract.interface.fragments) {
      if (fragment.type !== "function" || !fragment.constant || fragment.inputs.length || fragment.outputs.length !== 1) continue;
      if (fragment.outputs[0].baseType === "tuple" || fragment.outputs[0].baseType === "array") continue;
      views[fragment.name] = show(await contract.getFunction(fragment.format())());
    }
    results[path.basename(file, ".json")] = {
      address: await contract.getAddress(),
      unsafeNumbers: unsafeNumbers(artifact, "$", []),
      receipt: { contractAddress: receipt.contractAddress, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash },
      code: (await provider.getCode(artifact.address)).length > 2,
      views,
    };
  }
  process.stdout.write(JSON.stringify(results) + "\n");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
