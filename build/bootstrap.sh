#!/usr/bin/env bash
# Prerequisites behind the README commands. Idempotent and quick when everything is there.
#  1. TorchSharp 0.107's native library needs libstdc++ with GLIBCXX_3.4.32 (GCC 13+).
#     Debian 12 ships GCC 12's; as root on Debian 12 we install Debian 13's libstdc++6 through a
#     private apt sources list (the machine's apt configuration is left untouched).
#  2. Restore the local dotnet tools (Cake.Tool).
#  3. Install the servers the tests run on loopback (nginx with WebDAV, moto_server for S3, one-node Slurm).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

has_glibcxx() {
  local lib
  for lib in /lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/x86_64-linux-gnu/libstdc++.so.6 \
             /usr/lib64/libstdc++.so.6 /usr/lib/libstdc++.so.6 /lib/aarch64-linux-gnu/libstdc++.so.6; do
    [ -e "$lib" ] && grep -qa 'GLIBCXX_3.4.32' "$lib" && return 0
  done
  return 1
}

# Installs Debian packages through a private sources list (bookworm + trixie) built from this machine's own Debian
# mirror, leaving the machine's apt configuration untouched. Usage: apt_install <release> <package>...
apt_install() {
  local release=$1; shift
  local mirror list=/tmp/petseg-apt.list lists=/tmp/petseg-apt-lists
  # The machine's own Debian mirror (a user's mirror or proxy keeps working): deb822 sources first, then sources.list.
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1=="deb" && $0 !~ /security/ {for(i=2;i<=NF;i++) if ($i ~ /^[a-z+]+:\/\//) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || { echo "[bootstrap] no Debian mirror found in /etc/apt/sources.list(.d); add one, then rerun" >&2; exit 1; }
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s bookworm main\ndeb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s trixie main\n' "$mirror" "$mirror" > "$list"
  echo "[bootstrap] installing $* ($release) from the Debian mirror $mirror (this machine's apt sources)"
  O=(-o Dir::Etc::SourceList="$list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$lists" -o APT::Default-Release=bookworm)
  mkdir -p "$lists/partial"
  [ -n "${PETSEG_APT_UPDATED:-}" ] || { apt-get "${O[@]}" -qq update; PETSEG_APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get "${O[@]}" -qq install -y --no-install-recommends -t "$release" "$@" >/dev/null
}

can_apt() {
  local codename
  codename="$( . /etc/os-release 2>/dev/null; echo "${ID:-}:${VERSION_CODENAME:-}")"
  # Debian 12, or Debian 12 whose base-files our own trixie libstdc++6 install upgraded (libc6 2.41 brings
  # base-files 13, so os-release says trixie from then on: the servers must still install after it).
  { [ "$codename" = "debian:bookworm" ] || [ "$codename" = "debian:trixie" ]; } && [ "$(id -u)" = "0" ]
}

if [ "$(uname -s)" = "Linux" ] && ! has_glibcxx; then
  if can_apt; then
    echo "[bootstrap] libstdc++ lacks GLIBCXX_3.4.32 (TorchSharp needs it): installing Debian 13's libstdc++6 ..."
    apt_install trixie libstdc++6
    has_glibcxx || { echo "[bootstrap] installed libstdc++6 from trixie but GLIBCXX_3.4.32 is still missing" >&2; exit 1; }
    echo "[bootstrap] libstdc++ now provides GLIBCXX_3.4.32"
  else
    cat >&2 <<MSG
[bootstrap] This system's libstdc++ lacks GLIBCXX_3.4.32, which TorchSharp 0.107's native library needs.
  Install the C++ runtime of GCC 13 or newer, then rerun:
   - Debian 12: run this script as root (it installs Debian 13's libstdc++6), or
       apt-get install -t trixie libstdc++6   (with a trixie entry in your apt sources)
   - Ubuntu 24.04+, Debian 13+, Fedora 39+: already fine; older Ubuntu: the ubuntu-toolchain-r PPA's libstdc++6
  Check with: strings /lib/x86_64-linux-gnu/libstdc++.so.6 | grep GLIBCXX_3.4.32
MSG
    exit 1
  fi
fi

# 3. The servers the tests start on loopback: nginx (WebDAV: the HTTP cache), moto_server (S3) and a one-node
#    Slurm (slurmctld, slurmd, and the client commands).
missing=()
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
[ -x /usr/bin/moto_server ] || missing+=(moto)
{ [ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] && [ -x /usr/bin/sbatch ]; } || missing+=(slurm)
# The full-disk and read-only tests mount a tmpfs in a private namespace (unshare); the hangup test runs under script.
# Both are in Debian's essential set, so only a trimmed image lacks them.
{ command -v unshare >/dev/null 2>&1 && command -v script >/dev/null 2>&1; } || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  if can_apt; then
    [[ " ${missing[*]} " == *" nginx "* ]] && apt_install bookworm nginx
    [[ " ${missing[*]} " == *" moto "* ]] && apt_install trixie python3-moto python3-flask-cors
    [[ " ${missing[*]} " == *" slurm "* ]] && apt_install trixie slurmctld slurmd slurm-client
    [[ " ${missing[*]} " == *" util-linux "* ]] && apt_install bookworm util-linux bsdutils
  elif [ "${CI:-}" = "true" ]; then
    echo "[bootstrap] CI: the test servers ${missing[*]} are missing and cannot be installed here (needs root on Debian 12); failing" >&2
    exit 1
  else
    echo "[bootstrap] note: ${missing[*]} missing; the remote-store and cluster tests will fail until they are installed (nginx, util-linux, bsdutils; python3-moto, slurmctld slurmd slurm-client from Debian 13)" >&2
  fi
fi

cd "$here"
dotnet tool restore >/dev/null
