"""HTTPS with a self-signed certificate. boto3 sends aws-chunked bodies with checksum trailers
only over HTTPS, so the trailer path is exercised here."""

import base64
import hashlib
import subprocess
import zlib

import pytest

from conftest import Oosd


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    cfg = d / "oos.toml"
    cfg.write_text(f'tls_cert = "{cert}"\ntls_key = "{key}"\n')
    server = Oosd(d / "data", config=cfg).start()
    assert server.endpoint.startswith("https://")
    yield server
    server.stop()


def test_https_put_with_trailer_checksum(tls_server):
    s3 = tls_server.client()
    s3.create_bucket(Bucket="tls")
    body = b"over tls " * 100_000
    r = s3.put_object(Bucket="tls", Key="t", Body=body)  # default CRC32 trailer over aws-chunked
    crc = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    assert r.get("ChecksumCRC32") == crc
    got = s3.get_object(Bucket="tls", Key="t")
    assert got["Body"].read() == body
    for algo in ("CRC32C", "SHA1", "SHA256", "CRC64NVME"):
        try:
            s3.put_object(Bucket="tls", Key=algo, Body=body, ChecksumAlgorithm=algo)
        except Exception as e:  # CRC64NVME needs awscrt in older botocore
            if algo == "CRC64NVME" and "awscrt" in str(e).lower():
                continue
            raise
        assert s3.get_object(Bucket="tls", Key=algo)["Body"].read() == body


def test_https_multipart_with_trailers(tls_server):
    s3 = tls_server.client()
    s3.create_bucket(Bucket="tls2")
    import io
    data = bytes(range(256)) * 40_000  # ~10 MiB: upload_fileobj goes multipart
    from boto3.s3.transfer import TransferConfig
    s3.upload_fileobj(io.BytesIO(data), "tls2", "mp", Config=TransferConfig(multipart_threshold=5 * 1024 * 1024,
                                                                            multipart_chunksize=5 * 1024 * 1024))
    assert s3.get_object(Bucket="tls2", Key="mp")["Body"].read() == data
    assert hashlib.md5(s3.get_object(Bucket="tls2", Key="mp", Range="bytes=0-99")["Body"].read()).digest() == hashlib.md5(data[:100]).digest()
