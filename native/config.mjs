// Prints the compiler and linker flags for binding.gyp, and checks that the system
// libraries are present so a missing package is named, not buried under compiler errors.
//
//   XLING_LIBTORCH=/path   a libtorch tree (include/, lib/): a CUDA build, or the one
//                          inside a Python torch install (site-packages/torch).
//                          Unset: Debian's libtorch-dev in /usr.
//   XLING_CXX11_ABI=0|1    override the C++ ABI flag (only for a non-Debian libtorch).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const what = process.argv[2];
const root = process.env.XLING_LIBTORCH;

function fail(msg) {
  process.stderr.write(`\nxling native build: ${msg}\n\n`);
  process.exit(1);
}

function torchDirs() {
  if (root) {
    const inc = join(root, "include");
    const lib = join(root, "lib");
    if (!existsSync(join(inc, "torch/csrc/api/include/torch/torch.h")))
      fail(`XLING_LIBTORCH=${root} has no include/torch/csrc/api/include/torch/torch.h`);
    return { includes: [inc, join(inc, "torch/csrc/api/include")], libdir: lib };
  }
  if (!existsSync("/usr/include/torch/csrc/api/include/torch/torch.h"))
    fail("libtorch headers not found. Install Debian's package: apt-get install libtorch-dev\n" +
      "(or point XLING_LIBTORCH at another libtorch tree).");
  return { includes: ["/usr/include", "/usr/include/torch/csrc/api/include"], libdir: null };
}

function requireSentencePiece() {
  if (!existsSync("/usr/include/sentencepiece_processor.h"))
    fail("SentencePiece headers not found. Install Debian's package: apt-get install libsentencepiece-dev");
}

// c10d's Gloo process group includes Gloo's headers, which Debian ships apart from
// libtorch (a Python torch tree carries its own copy under include/).
function requireGloo(includes) {
  if (![...includes, "/usr/include"].some((d) => existsSync(join(d, "gloo/algorithm.h"))))
    fail("Gloo headers not found (needed by libtorch's c10d). Install Debian's package: apt-get install libgloo-dev");
}

// NCCL process groups are compiled only against a libtorch built with CUDA and NCCL:
// its lib/ has libtorch_cuda.so and nccl.h is on the include path (CUDA_HOME or the tree).
function ncclInclude() {
  if (!root) return null;
  const lib = join(root, "lib");
  if (!existsSync(lib) || !readdirSync(lib).includes("libtorch_cuda.so")) return null;
  const dirs = [join(root, "include"), process.env.CUDA_HOME && join(process.env.CUDA_HOME, "include"), "/usr/include", "/usr/local/cuda/include"].filter(Boolean);
  return dirs.find((d) => existsSync(join(d, "nccl.h"))) ?? null;
}

function findProtobuf() {
  const dir = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"].find(existsSync);
  if (!dir) return null;
  const found = readdirSync(dir).filter((f) => /^libprotobuf\.so\.\d+$/.test(f)).sort();
  return found.length ? found[found.length - 1] : null;
}

function libs() {
  const { libdir } = torchDirs();
  // Symbol lookup follows the order of the libraries here. libsentencepiece carries
  // its own copy of some protobuf functions; if it is found before libprotobuf, the
  // protobuf that libtorch loads calls into it and crashes at load time. So libprotobuf
  // is linked first, explicitly. SentencePiece itself is not linked at all: the addon
  // opens it at run time in its own symbol scope (native/src/sentencepiece_runtime.h),
  // because its protobuf copy cannot share a namespace with libprotobuf either way.
  const out = ["-Wl,--no-as-needed"];
  const protobuf = findProtobuf();
  if (protobuf) out.push(`-l:${protobuf}`);
  if (libdir) {
    out.push(`-L${libdir}`, `-Wl,-rpath,${libdir}`);
    const have = new Set(readdirSync(libdir));
    for (const l of ["torch_cuda", "c10_cuda"]) if (have.has(`lib${l}.so`)) out.push(`-Wl,--no-as-needed`, `-l${l}`);
  }
  out.push("-ltorch", "-ltorch_cpu", "-lc10", "-Wl,--as-needed", "-ldl");
  return out;
}

function defines() {
  const abi = process.env.XLING_CXX11_ABI ?? (root ? null : "1");
  const out = abi === null ? [] : [`_GLIBCXX_USE_CXX11_ABI=${abi}`];
  if (ncclInclude()) out.push("USE_C10D_NCCL", "XLING_WITH_NCCL");
  return out;
}

switch (what) {
  case "includes": {
    requireSentencePiece();
    const includes = torchDirs().includes;
    requireGloo(includes);
    const nccl = ncclInclude();
    console.log([...includes, ...(nccl && !includes.includes(nccl) ? [nccl] : [])].join(" "));
    break;
  }
  case "libs": console.log(libs().join(" ")); break;
  case "defines": console.log(defines().join(" ")); break;
  default: fail(`unknown query ${what}`);
}
