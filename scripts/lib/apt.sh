# Sourced by the scripts that install what tests need from Debian's packages (browser-test-deps.sh,
# python-test-deps.sh): apt_install WHO PACKAGE... runs apt-get update and install as root, or through sudo, and
# fails in one line naming WHO when neither is possible.
apt_install() {
  local who="$1"; shift
  local as_root=()
  if [[ "$(id -u)" != "0" ]]; then
    if command -v sudo >/dev/null 2>&1; then
      as_root=(sudo)
    else
      echo "error: $who: installing Debian's $* needs root (apt-get); rerun as root" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" apt-get install -y -q "$@"
}
