"""Certificates (openssl CLI), the kubeconfig the server writes, atomic files."""

import base64
import json
import os
import subprocess


def run_openssl(args, cwd):
    subprocess.run(["openssl"] + args, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def new_key_and_csr(cwd, stem, subject):
    run_openssl(["req", "-new", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                 stem + ".key", "-out", stem + ".csr", "-subj", subject], cwd)


def sign(cwd, stem, ca_cert, ca_key, extensions):
    ext_file = os.path.join(cwd, stem + ".ext")
    with open(ext_file, "w") as f:
        f.write(extensions)
    serial = "0x" + os.urandom(8).hex()
    run_openssl(["x509", "-req", "-in", stem + ".csr", "-CA", ca_cert,
                 "-CAkey", ca_key, "-set_serial", serial, "-days", "3650",
                 "-sha256", "-out", stem + ".crt", "-extfile", ext_file], cwd)


def make_certs(cert_dir, ca_cert=None, ca_key=None):
    """Returns paths {ca, server_crt, server_key, client_crt, client_key}."""
    os.makedirs(cert_dir, exist_ok=True)
    if not ca_cert:
        ca_cert = os.path.join(cert_dir, "ca.crt")
        ca_key = os.path.join(cert_dir, "ca.key")
        run_openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt",
                     "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca_key,
                     "-out", ca_cert, "-days", "3650", "-sha256",
                     "-subj", "/CN=paiplan-test-ca",
                     "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"], cert_dir)
    new_key_and_csr(cert_dir, "server", "/CN=paiplan-test-apiserver")
    sign(cert_dir, "server", ca_cert, ca_key,
         "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
         "extendedKeyUsage=serverAuth\n"
         "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    new_key_and_csr(cert_dir, "client", "/O=system:masters/CN=paiplan-test-admin")
    sign(cert_dir, "client", ca_cert, ca_key,
         "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
         "extendedKeyUsage=clientAuth\n")
    return {"ca": ca_cert,
            "server_crt": os.path.join(cert_dir, "server.crt"),
            "server_key": os.path.join(cert_dir, "server.key"),
            "client_crt": os.path.join(cert_dir, "client.crt"),
            "client_key": os.path.join(cert_dir, "client.key")}


def b64file(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def kubeconfig_text(server, certs, token):
    # JSON is valid YAML; kubectl and yaml-cpp both read it.
    cfg = {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "paiplan-test", "cluster": {
            "server": server, "certificate-authority-data": b64file(certs["ca"])}}],
        "users": [
            {"name": "test-token", "user": {"token": token}},
            {"name": "test-certs", "user": {
                "client-certificate-data": b64file(certs["client_crt"]),
                "client-key-data": b64file(certs["client_key"])}}],
        "contexts": [
            {"name": "test", "context": {"cluster": "paiplan-test", "user": "test-token"}},
            {"name": "certs", "context": {"cluster": "paiplan-test", "user": "test-certs"}}],
        "current-context": "test",
        "preferences": {},
    }
    return json.dumps(cfg, indent=2) + "\n"


def write_atomic(path, text, mode=0o644):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
