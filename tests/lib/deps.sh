#!/bin/sh
# deps.sh PACKAGE... - installs the missing Debian packages when root,
# otherwise names them and fails.
missing=""
for p in "$@"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in *"ok installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "kith: missing Debian packages:$missing" >&2
	echo "kith: install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "kith: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || exit 1
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >&2
