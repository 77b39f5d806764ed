#!/bin/sh
# A small private CA for Volno's MQTT and HTTPS, with Debian's openssl (docs/deployment.md).
# Use the office's own CA instead when it has one; this exists so that a site without one still
# gets verified TLS rather than `reject_unauthorized: false`.
#
#   volno-certs.sh ca     DIR                      DIR/ca.key (keep it offline) + DIR/ca.pem (give to clients)
#   volno-certs.sh server DIR NAME SAN [SAN...]    DIR/NAME.key + DIR/NAME.pem for a broker or HTTPS server;
#                                                  SAN = a DNS name or an IP address clients connect to
#   volno-certs.sh client DIR NAME                 DIR/NAME.key + DIR/NAME.pem for mutual TLS (an agent)
#
# Keys are ECDSA P-256, written with mode 0600. Leaf certificates last 825 days (the longest that
# browsers accept), the CA 10 years. test/deploy/ generates its test CA with this script.
set -eu

usage() {
  sed -n '2,12p' "$0" >&2
  exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
shift 2
mkdir -p "$dir"
umask 077

newkey() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

sign() { # name, extensions text
  name=$1
  ext=$(mktemp)
  trap 'rm -f "$ext" "$dir/$name.csr"' EXIT
  printf '%s\n' "$2" >"$ext"
  newkey "$dir/$name.key"
  openssl req -new -key "$dir/$name.key" -subj "/CN=$name" -out "$dir/$name.csr"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 825 -sha256 -extfile "$ext" -out "$dir/$name.pem" 2>/dev/null
  chmod 0644 "$dir/$name.pem"
  echo "$dir/$name.pem"
}

case $cmd in
  ca)
    [ $# -eq 0 ] || usage
    [ ! -e "$dir/ca.key" ] || { echo "$dir/ca.key exists; refusing to overwrite the CA" >&2; exit 1; }
    newkey "$dir/ca.key"
    openssl req -x509 -new -key "$dir/ca.key" -subj "/CN=Volno private CA" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$dir/ca.pem"
    chmod 0644 "$dir/ca.pem"
    echo "$dir/ca.pem"
    ;;
  server)
    [ $# -ge 2 ] || usage
    name=$1
    shift
    san=""
    for s in "$@"; do
      case $s in
        *[!0-9.]* | "") case $s in *:*) kind=IP ;; *) kind=DNS ;; esac ;; # IPv6 has colons
        *) kind=IP ;;
      esac
      san="${san:+$san,}$kind:$s"
    done
    sign "$name" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$san"
    ;;
  client)
    [ $# -eq 1 ] || usage
    sign "$1" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
    ;;
  *) usage ;;
esac
