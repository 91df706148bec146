# Shared by ./actorrl and tests/run: installs what ActorRL needs, once, and builds it.
# Sourced, not executed.

# Installs the Debian packages that are missing (idempotent: installed ones are left alone).
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "actorrl: missing packages: ${missing[*]}; install them as root: apt-get install -y ${missing[*]}" >&2
      return 1
    fi
  fi
  echo "actorrl: installing ${missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "actorrl: the .NET 10 SDK is needed (dotnet was not found on PATH)" >&2
    return 1
  fi
}

# Packages the build and the CLI need: the native shim compiles against Debian's libtorch, and
# OpenBLAS replaces the reference BLAS (about 30x faster matrix products).
ACTORRL_BUILD_PACKAGES=(cmake g++ make libtorch-dev libopenblas0-pthread)
# Reference implementations used by tests and benchmarks.
ACTORRL_REFERENCE_PACKAGES=(python3-torch python3-numpy)
# Servers the tests start for real, on loopback, in temporary directories: PostgreSQL for the journal, RabbitMQ
# for the cluster.
ACTORRL_SERVER_PACKAGES=(postgresql rabbitmq-server)
