#!/usr/bin/env bash
# Builds rxrl's optional native tensor backend (@tensorflow/tfjs-node) without internet access.
#
#   npm run setup:native          # after every `npm ci` (which removes it again)
#
# Why this script exists: tfjs-node's own installer downloads libtensorflow 2.9.1 from a
# Google bucket, which machines without internet cannot reach. The TensorFlow C API is
# also shipped inside the `tensorflow-cpu` Python wheel, which the local pip store has:
# its `libtensorflow_cc.so.2` exports every TF_* / TFE_* symbol tfjs-node's binding calls
# (versioned `@@tensorflow`; TF_NewStatus and friends live in `libtensorflow_framework.so.2`,
# which the binding links as well). So we
#
#   1. install @tensorflow/tfjs-node with --ignore-scripts --no-save (package.json and the
#      lockfile stay unchanged; `npm ci` removes it again), at the version of the installed
#      @tensorflow/tfjs, because tfjs-node depends on exactly that version of tfjs: any other
#      version would get a nested second copy of tfjs/tfjs-core;
#   2. fetch the wheel once into .cache/native/ (git-ignored) with `pip download` — pip first
#      retries the unreachable public index a few times, that delay is normal — and unpack the
#      two shared libraries and the C headers next to it (reused on the next run);
#   3. lay out node_modules/@tensorflow/tfjs-node/deps/ as its installer expects:
#        deps/include   tensorflow/c/**, tensorflow/core/platform/ctstring*,
#                       tsl/platform/ctstring*, xla/tsl/c/*
#        deps/lib       libtensorflow_cc.so.2, libtensorflow_framework.so.2 (hard links into
#                       the cache, or copies), libtensorflow.so -> libtensorflow_cc.so.2,
#                       libtensorflow_framework.so -> libtensorflow_framework.so.2 (the
#                       binding links -ltensorflow -ltensorflow_framework), and the file the
#                       installer tests for before it downloads anything, deps-constants.js's
#                       `depsLibTensorFlowPath` (libtensorflow.so.2.9.1 for tfjs-node 4.22)
#                       -> libtensorflow_cc.so.2; the addon records the SONAMEs
#                       libtensorflow_cc.so.2 / libtensorflow_framework.so.2 and finds them
#                       through its RUNPATH $ORIGIN/../../deps/lib;
#   4. write scripts/custom-binary.json with a `tf-lib` entry (and no `addon` entry): this
#      makes scripts/install.js call `node-pre-gyp install --build-from-source` instead of
#      fetching a prebuilt addon. Its URL is never fetched, because the library is already
#      staged at depsLibTensorFlowPath;
#   5. `npm rebuild @tensorflow/tfjs-node` — runs install.js, i.e. node-gyp against the local
#      Node headers (nodedir=/usr when /usr/include/node exists, as on these machines);
#   6. smoke check: load the backend in `node -e` and run a matMul.
#
# Idempotent: every step is skipped when its result is already in place, and a finished setup
# only re-runs the smoke check. Needs python3 with pip, g++, make and the Node headers; about
# 1.1 GB of disk (the 270 MB wheel plus 850 MB of unpacked libraries, hard-linked into
# node_modules) and about a minute and a half the first time.
#
# Environment: RXRL_NATIVE_CACHE (default .cache/native), TF_WHEEL_VERSION (default 2.21.0),
# TFJS_NODE_VERSION (default: the installed @tensorflow/tfjs version).
set -euo pipefail

step() { printf '\n== setup:native: %s\n' "$*"; }
info() { printf '   %s\n' "$*"; }
die() {
  printf '\nsetup:native FAILED: %s\n' "$*" >&2
  exit 1
}
trap 'printf "\nsetup:native FAILED: exit %s at line %s: %s\n" "$?" "$LINENO" "$BASH_COMMAND" >&2' ERR

cd "$(dirname "$0")/.."
ROOT=$(pwd)
START=$(date +%s)

TF_WHEEL_VERSION=${TF_WHEEL_VERSION:-2.21.0}
CACHE=${RXRL_NATIVE_CACHE:-$ROOT/.cache/native}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
UNPACKED=$CACHE/tensorflow-cpu-$TF_WHEEL_VERSION
PKG=$ROOT/node_modules/@tensorflow/tfjs-node

step "checking the tools"
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "only Linux x86_64 is supported (the tensorflow-cpu wheel is built for it); this is $(uname -s)-$(uname -m)"
for tool in node npm python3 g++ make unzip nm; do
  command -v "$tool" >/dev/null || die "'$tool' is not on PATH (Debian: apt-get install -y build-essential python3 python3-pip unzip)"
done
python3 -m pip --version >/dev/null 2>&1 || die "python3 has no pip (Debian: apt-get install -y python3-pip)"
[ -f node_modules/@tensorflow/tfjs/package.json ] || die "@tensorflow/tfjs is not installed: run \`npm ci\` first"
TFJS_VERSION=$(node -p "require('./node_modules/@tensorflow/tfjs/package.json').version")
TFJS_NODE_VERSION=${TFJS_NODE_VERSION:-$TFJS_VERSION}
# node-gyp would download the Node headers; Debian's nodejs package ships them in /usr/include/node.
NODEDIR=${npm_config_nodedir:-}
if [ -z "$NODEDIR" ] && [ -f /usr/include/node/node_api.h ]; then
  NODEDIR=/usr
fi
NODEDIR_ARGS=()
[ -z "$NODEDIR" ] || NODEDIR_ARGS=("--nodedir=$NODEDIR")
info "node $(node --version), npm $(npm --version), $(g++ --version | head -n 1)"
info "@tensorflow/tfjs $TFJS_VERSION -> @tensorflow/tfjs-node $TFJS_NODE_VERSION, TensorFlow C library from tensorflow-cpu $TF_WHEEL_VERSION"
info "node headers: ${NODEDIR_ARGS[*]:-node-gyp default (downloads them: needs internet)}"

smoke_check() {
  # Loads the backend exactly as rxrl does (tfjs-node registers into the tfjs-core that
  # @tensorflow/tfjs resolves to) and checks a matMul's numbers.
  TF_ENABLE_ONEDNN_OPTS=${TF_ENABLE_ONEDNN_OPTS:-0} TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-1} node -e "
    const tf = require('@tensorflow/tfjs');
    const tfn = require('@tensorflow/tfjs-node');
    if (tf.getBackend() !== 'tensorflow') throw new Error('backend is ' + tf.getBackend() + ', not tensorflow');
    if (tfn.version['tfjs-core'] !== tf.version_core) throw new Error('tfjs-node uses tfjs-core ' + tfn.version['tfjs-core'] + ' but @tensorflow/tfjs uses ' + tf.version_core);
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const got = Array.from(tf.matMul(a, a).dataSync());
    if (JSON.stringify(got) !== JSON.stringify([7, 10, 15, 22])) throw new Error('matMul gave ' + got);
    console.log('   ok: backend ' + tf.getBackend() + ', tfjs-node ' + tfn.version['tfjs-node'] + ', TensorFlow ' + tf.backend().binding.TF_Version + ', [[1,2],[3,4]]^2 = ' + JSON.stringify(got));
  "
}

installed_version() {
  [ -f "$PKG/package.json" ] && node -p "require('$PKG/package.json').version" || true
}

binding_path() {
  [ -f "$PKG/package.json" ] || return 0
  (cd "$PKG" && node -e "
    const p = require('@mapbox/node-pre-gyp').find(require('path').resolve('package.json'));
    if (require('fs').existsSync(p)) console.log(p);
  " 2>/dev/null) || true
}

if [ "$(installed_version)" = "$TFJS_NODE_VERSION" ] && [ -n "$(binding_path)" ]; then
  step "already built: $(binding_path) — smoke check"
  if smoke_check; then
    info "nothing to do ($(($(date +%s) - START)) s)"
    exit 0
  fi
  info "the existing build does not load (error above): building it again"
fi

step "installing @tensorflow/tfjs-node@$TFJS_NODE_VERSION (--ignore-scripts --no-save)"
if [ "$(installed_version)" = "$TFJS_NODE_VERSION" ]; then
  info "already installed"
else
  npm install --no-save --ignore-scripts --no-audit --no-fund "@tensorflow/tfjs-node@$TFJS_NODE_VERSION" ||
    die "npm could not install @tensorflow/tfjs-node@$TFJS_NODE_VERSION (is the npm registry reachable?)"
fi
[ "$(installed_version)" = "$TFJS_NODE_VERSION" ] || die "node_modules/@tensorflow/tfjs-node is $(installed_version), expected $TFJS_NODE_VERSION"
# tfjs-node must register its kernels into the same @tensorflow/tfjs(-core) rxrl imports.
SAME_TFJS=$(node -e "
  const path = require('path');
  const ours = require.resolve('@tensorflow/tfjs');
  const theirs = require.resolve('@tensorflow/tfjs', { paths: [path.resolve('node_modules/@tensorflow/tfjs-node')] });
  console.log(ours === theirs ? 'yes' : 'no: ' + theirs);
")
[ "$SAME_TFJS" = yes ] || die "tfjs-node resolves its own copy of @tensorflow/tfjs ($SAME_TFJS); set TFJS_NODE_VERSION to the version of the installed @tensorflow/tfjs ($TFJS_VERSION)"
info "tfjs-node shares rxrl's @tensorflow/tfjs $TFJS_VERSION"

step "TensorFlow C library from the tensorflow-cpu $TF_WHEEL_VERSION wheel (cache: ${CACHE#"$ROOT"/})"
shopt -s nullglob
wheels=("$CACHE"/tensorflow_cpu-"$TF_WHEEL_VERSION"-*.whl)
if [ ${#wheels[@]} -eq 0 ]; then
  info "pip download tensorflow-cpu==$TF_WHEEL_VERSION --no-deps (pip retries the public index first; that wait is normal)"
  python3 -m pip download "tensorflow-cpu==$TF_WHEEL_VERSION" --no-deps --only-binary=:all: \
    --platform manylinux_2_27_x86_64 --python-version 3.11 -d "$CACHE" ||
    die "pip could not download tensorflow-cpu==$TF_WHEEL_VERSION (is the local wheel store configured in pip.conf?)"
  wheels=("$CACHE"/tensorflow_cpu-"$TF_WHEEL_VERSION"-*.whl)
  [ ${#wheels[@]} -gt 0 ] || die "pip reported success but no tensorflow_cpu-$TF_WHEEL_VERSION wheel is in $CACHE"
else
  info "reusing ${wheels[0]#"$ROOT"/}"
fi
WHEEL=${wheels[0]}
shopt -u nullglob

if [ -f "$UNPACKED/.complete" ]; then
  info "reusing unpacked libraries in ${UNPACKED#"$ROOT"/}"
else
  info "unpacking libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C headers"
  rm -rf "$UNPACKED" "$UNPACKED.tmp"
  mkdir -p "$UNPACKED.tmp"
  unzip -q -o "$WHEEL" \
    'tensorflow/libtensorflow_cc.so.2' 'tensorflow/libtensorflow_framework.so.2' \
    'tensorflow/include/tensorflow/c/*' \
    'tensorflow/include/tensorflow/core/platform/ctstring*' \
    'tensorflow/include/tsl/platform/ctstring*' \
    'tensorflow/include/xla/tsl/c/*' \
    -d "$UNPACKED.tmp" || die "could not unpack $WHEEL (delete it and run again to download it afresh)"
  for f in libtensorflow_cc.so.2 libtensorflow_framework.so.2 include/tensorflow/c/c_api.h include/tensorflow/c/eager/c_api.h; do
    [ -e "$UNPACKED.tmp/tensorflow/$f" ] || die "the wheel has no tensorflow/$f; this script knows tensorflow-cpu 2.21.0's layout"
  done
  # The binding calls the C API; make sure this build still exports it (unversioned or @@tensorflow).
  exported=$(nm -D --defined-only "$UNPACKED.tmp/tensorflow/libtensorflow_cc.so.2" "$UNPACKED.tmp/tensorflow/libtensorflow_framework.so.2") ||
    die "nm could not read the libraries (Debian: apt-get install -y binutils)"
  for sym in TFE_NewContext TFE_Execute TF_NewStatus; do
    grep -q " T $sym\(@@tensorflow\)\?$" <<<"$exported" || die "neither library in the wheel exports $sym"
  done
  mv "$UNPACKED.tmp/tensorflow" "$UNPACKED"
  rmdir "$UNPACKED.tmp"
  touch "$UNPACKED/.complete"
fi

step "laying out ${PKG#"$ROOT"/}/deps"
DEPS_LIB_FILE=$(cd "$PKG" && node -p "require('./scripts/deps-constants.js').depsLibTensorFlowPath")
DEPS_LIB=$PKG/deps/lib
[ "$(dirname "$DEPS_LIB_FILE")" = "$DEPS_LIB" ] || die "tfjs-node expects its library at $DEPS_LIB_FILE, not in $DEPS_LIB: this script needs updating for tfjs-node $TFJS_NODE_VERSION"
rm -rf "$PKG/deps"
mkdir -p "$DEPS_LIB" "$PKG/deps/include"
cp -R "$UNPACKED/include/." "$PKG/deps/include/"
for lib in libtensorflow_cc.so.2 libtensorflow_framework.so.2; do
  ln -f "$UNPACKED/$lib" "$DEPS_LIB/$lib" 2>/dev/null || cp -f "$UNPACKED/$lib" "$DEPS_LIB/$lib"
done
ln -sfn libtensorflow_cc.so.2 "$DEPS_LIB/libtensorflow.so"
ln -sfn libtensorflow_framework.so.2 "$DEPS_LIB/libtensorflow_framework.so"
ln -sfn libtensorflow_cc.so.2 "$DEPS_LIB_FILE"
(cd "$DEPS_LIB" && for f in *; do if [ -L "$f" ]; then info "deps/lib/$f -> $(readlink "$f")"; else info "deps/lib/$f ($(du -m "$f" | cut -f1) MB)"; fi; done)
CUSTOM_URL="file://$WHEEL"
printf '{\n  "tf-lib": "%s"\n}\n' "$CUSTOM_URL" >"$PKG/scripts/custom-binary.json"
info "scripts/custom-binary.json: tf-lib = $CUSTOM_URL (never fetched: the library is staged, so install.js only builds)"

step "building the addon: npm rebuild @tensorflow/tfjs-node ${NODEDIR_ARGS[*]} (node-gyp, about a minute)"
rm -rf "$PKG/build" "$PKG/lib"
npm rebuild @tensorflow/tfjs-node --foreground-scripts "${NODEDIR_ARGS[@]}" ||
  die "building the tfjs-node addon failed (see the compiler output above)"
BINDING=$(binding_path)
if [ -z "$BINDING" ]; then
  # npm 11 gates dependencies' install scripts behind package.json's allowScripts (today a
  # warning for `npm rebuild`; --allow-scripts on its command line is refused). Should a newer
  # npm skip the script, run it the way npm would: node-pre-gyp from node_modules/.bin and
  # npm's bundled node-gyp.
  info "npm did not build the addon (install script skipped?): running scripts/install.js directly"
  NODE_GYP=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
  [ -f "$NODE_GYP" ] || die "npm did not run tfjs-node's install script, and npm's bundled node-gyp is not at $NODE_GYP"
  (cd "$PKG" && PATH="$ROOT/node_modules/.bin:$PATH" npm_config_node_gyp="$NODE_GYP" \
    npm_config_nodedir="$NODEDIR" node scripts/install.js) ||
    die "building the tfjs-node addon failed (see the compiler output above)"
  BINDING=$(binding_path)
fi
[ -n "$BINDING" ] || die "no tfjs_binding.node was built under $PKG/lib (see the output above)"
info "built ${BINDING#"$ROOT"/}"

step "smoke check"
smoke_check || die "the freshly built backend does not load (see the error above)"
info "done in $(($(date +%s) - START)) s; rxrl's initBackend('tensorflow') can now load it"
