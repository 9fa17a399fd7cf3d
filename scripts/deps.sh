#!/bin/sh
# Installs the Debian packages keepwatch needs to build and test, only those missing.
# Usage: scripts/deps.sh [build|test|all]   (default: all)
set -eu
build="cmake ninja-build pkg-config gcc lld libc6-dev libsqlite3-dev libyaml-dev libmicrohttpd-dev
       libcurl4-openssl-dev libssl-dev libjansson-dev libpcap-dev libpcre2-dev libsystemd-dev libargon2-dev
       libpq-dev libsnmp-dev zlib1g-dev libxml2-dev libyajl-dev libzip-dev libcairo2-dev libpango1.0-dev
       fonts-wqy-microhei"
# The PDF documents' Chinese font: WenQuanYi Micro Hei (small); Noto Sans CJK SC
# (fonts-noto-cjk) is preferred when it is installed.
# Hyperscan (log rule prefilter) exists in Debian for amd64 only; elsewhere PCRE2 does it all.
[ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ] && build="$build libhyperscan-dev"
# What the daemon runs: a drill's replay sends its capture with tcpreplay, from a network
# namespace and through a veth pair made with ip (iproute2). `make run` installs them too.
build="$build tcpreplay iproute2"
test="clang libclang-rt-14-dev python3 python3-aiosmtpd curl procps openssl chromium poppler-utils
      postgresql snmpd snmp ruby ruby-cvss-suite nmap lynis wapiti rpm debsecan openssh-server redis-server
      memcached python3-pyftpdlib mariadb-server slapd python3-jinja2 python3-psycopg2 python3-pymysql
      tcpdump iptables"
case "${1:-all}" in
  build) want="$build" ;;
  test|all) want="$build $test" ;;
  *) echo "usage: $0 [build|test|all]" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "keepwatch: missing Debian packages:$missing" >&2
  echo "keepwatch: run as root, or: sudo apt-get install$missing" >&2
  exit 1
fi
echo "keepwatch: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# The tests start the servers they need (sshd, redis, mariadb, slapd, postgresql, snmpd) on
# free loopback ports and stop them: installing a package must not start its system service.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends $missing
}
