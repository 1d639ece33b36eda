#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Regenerates the TEST-ONLY example CA and server certificate (127.0.0.1 / localhost).
# Never use these keys for anything but tests and the demo: the private keys are public.
set -eu
cd "$(dirname "$0")"
days=3650
openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -x509 -new -key ca.key -sha256 -days $days -subj "/O=tdx-unlock example (TEST ONLY)/CN=tdx-unlock example CA" \
	-addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
openssl ecparam -name prime256v1 -genkey -noout -out server.key
openssl req -new -key server.key -subj "/O=tdx-unlock example (TEST ONLY)/CN=localhost" -out server.csr
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days $days -extfile server.ext -out server.pem
rm -f server.csr server.ext ca.srl
# A second CA that did NOT sign the server certificate: for "wrong CA" tests.
openssl ecparam -name prime256v1 -genkey -noout -out other-ca.key
openssl req -x509 -new -key other-ca.key -sha256 -days $days -subj "/O=tdx-unlock example (TEST ONLY)/CN=unrelated CA" -out other-ca.pem
rm -f other-ca.key
chmod 600 ca.key server.key
