#!/usr/bin/env node
// Pack a folder into a CAR and print its root CID, as `ipfs add -r --cid-version 1 FOLDER`
// prints it: the folder itself is the root (no wrapping directory), files are UnixFS with raw
// leaves, 256 KiB chunks and balanced DAGs of at most 174 links (kubo's defaults), directories
// of more than 1,000 entries sharded as ipfs-car does.
//
//   node toolchain/ipfs_car.mjs pack FOLDER OUT.car     prints the root CID
//
// Only regular files directly inside FOLDER and its subfolders are packed; a symbolic link or any
// other kind of entry is refused (a bundle is plain files). Unpacking is ipfs-car's own
// `unpack`, which checks every block against its CID.
import fs from 'node:fs'
import path from 'node:path'
import { Readable, Writable } from 'node:stream'
import { createDirectoryEncoderStream, CAREncoderStream } from 'ipfs-car'
import { CarWriter } from '@ipld/car/writer'
import * as UnixFS from '@ipld/unixfs'
import { withMaxChunkSize } from '@ipld/unixfs/file/chunker/fixed'
import { withWidth } from '@ipld/unixfs/file/layout/balanced'
import * as raw from 'multiformats/codecs/raw'

const KUBO = UnixFS.configure({
  fileChunkEncoder: raw,
  smallFileEncoder: raw,
  chunker: withMaxChunkSize(256 * 1024),
  fileLayout: withWidth(174)
})

function filesOf (root) {
  const out = []
  const walk = (dir, prefix) => {
    const names = fs.readdirSync(dir).sort()
    for (const name of names) {
      const full = path.join(dir, name)
      const stat = fs.lstatSync(full)
      const rel = prefix ? `${prefix}/${name}` : name
      if (stat.isDirectory()) walk(full, rel)
      else if (stat.isFile()) out.push({ name: rel, stream: () => Readable.toWeb(fs.createReadStream(full)) })
      else throw new Error(`${full}: not a regular file or folder`)
    }
  }
  walk(root, '')
  if (out.length === 0) throw new Error(`${root}: no files to pack`)
  return out
}

async function pack (folder, output) {
  const placeholder = (await import('multiformats/cid')).CID.parse('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi')
  const car = new CAREncoderStream([placeholder])
  const blocks = createDirectoryEncoderStream(filesOf(folder), KUBO)
  await blocks.pipeThrough(car).pipeTo(Writable.toWeb(fs.createWriteStream(output)))
  const root = car.finalBlock?.cid
  if (!root) throw new Error('no blocks in CAR')
  const fd = await fs.promises.open(output, 'r+')
  await CarWriter.updateRootsInFile(fd, [root])
  await fd.close()
  process.stdout.write(root.toString() + '\n')
}

const [command, ...args] = process.argv.slice(2)
try {
  if (command === 'pack' && args.length === 2) await pack(args[0], args[1])
  else throw new Error('usage: ipfs_car.mjs pack FOLDER OUT.car')
} catch (err) {
  process.stderr.write(`${err.message}\n`)
  process.exitCode = 1
}
