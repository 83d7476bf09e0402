// Reference implementation runner: @openzeppelin/merkle-tree on our values or our tree.json.
//   node bench/oz_merkle.js build VALUES.json RUNS   -> {"root", "seconds": [...]}  (StandardMerkleTree.of)
//   node bench/oz_merkle.js load TREE.json           -> {"root", "proofs": {account: [..]}}
// VALUES.json is a JSON array of [address, "tokens", "influence"].
"use strict";
const fs = require("fs");
const path = require("path");
const { StandardMerkleTree } = require(
  path.join(__dirname, "..", "node_modules", "@openzeppelin", "merkle-tree"),
);

const ENCODING = ["address", "uint256", "uint256"];
const [mode, file, runsArg] = process.argv.slice(2);
const data = JSON.parse(fs.readFileSync(file, "utf8"));

if (mode === "build") {
  const seconds = [];
  let root;
  for (let r = 0; r < Number(runsArg || 1); r++) {
    const start = process.hrtime.bigint();
    const tree = StandardMerkleTree.of(data, ENCODING);
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    root = tree.root;
  }
  process.stdout.write(JSON.stringify({ root, seconds }) + "\n");
} else if (mode === "load") {
  const tree = StandardMerkleTree.load(data);
  const proofs = {};
  for (const [i, value] of tree.entries()) {
    proofs[value[0]] = tree.getProof(i);
  }
  process.stdout.write(JSON.stringify({ root: tree.root, proofs }) + "\n");
} else {
  process.stderr.write("usage: oz_merkle.js build VALUES.json RUNS | load TREE.json\n");
  process.exit(2);
}
