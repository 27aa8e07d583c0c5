"""Flexible checksums as current SDKs send them: CRC32, CRC32C, CRC64NVME, SHA1, SHA256 on
PutObject, UploadPart and CompleteMultipartUpload (COMPOSITE and FULL_OBJECT), ListParts,
`x-amz-checksum-mode` on GET/HEAD (whole, ranges, parts), GetObjectAttributes, copies and S3's
default CRC64NVME. Expected values are computed here independently (zlib, hashlib, awscrt)."""

import base64
import hashlib
import os
import zlib

import botocore
import pytest
from awscrt import checksums as crt

from conftest import error_code

MIB = 1024 * 1024


def b64(raw):
    return base64.b64encode(raw).decode()


def crc32(data):
    return b64(zlib.crc32(data).to_bytes(4, "big"))


def crc32c(data):
    return b64(crt.crc32c(data).to_bytes(4, "big"))


def crc64nvme(data):
    return b64(crt.crc64nvme(data).to_bytes(8, "big"))


def sha256(data):
    return b64(hashlib.sha256(data).digest())


def sha1(data):
    return b64(hashlib.sha1(data).digest())


def composite(fn, parts):
    """S3's COMPOSITE value: the checksum of the parts' raw checksums, then -N."""
    raw = b"".join(base64.b64decode(fn(p)) for p in parts)
    return "%s-%d" % (fn(raw), len(parts))


@pytest.fixture(scope="module")
def plain(oosd):
    """A client that sends no checksum unless told to (boto3's default adds CRC32)."""
    return oosd.client(request_checksum_calculation="when_required",
                       response_checksum_validation="when_required")


def message(excinfo):
    return excinfo.value.response["Error"]["Message"]


def test_put_without_checksum_gets_default_crc64nvme(s3, plain, bucket):
    data = b"no checksum sent"
    r = plain.put_object(Bucket=bucket, Key="d", Body=data)
    assert r["ChecksumCRC64NVME"] == crc64nvme(data)
    assert r["ChecksumType"] == "FULL_OBJECT"
    h = plain.head_object(Bucket=bucket, Key="d", ChecksumMode="ENABLED")
    assert (h["ChecksumCRC64NVME"], h["ChecksumType"]) == (crc64nvme(data), "FULL_OBJECT")
    # Without checksum mode the checksum is not answered.
    assert "ChecksumCRC64NVME" not in plain.head_object(Bucket=bucket, Key="d")
    attrs = plain.get_object_attributes(Bucket=bucket, Key="d", ObjectAttributes=["Checksum", "ObjectParts"])
    assert attrs["Checksum"] == {"ChecksumCRC64NVME": crc64nvme(data), "ChecksumType": "FULL_OBJECT"}
    assert "ObjectParts" not in attrs
    listed = plain.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert listed["ChecksumAlgorithm"] == ["CRC64NVME"]
    assert listed["ChecksumType"] == "FULL_OBJECT"
    versions = plain.list_object_versions(Bucket=bucket)["Versions"][0]
    assert versions["ChecksumAlgorithm"] == ["CRC64NVME"]


def test_sdk_default_crc32_is_stored(s3, bucket):
    data = os.urandom(1000)
    r = s3.put_object(Bucket=bucket, Key="c", Body=data)
    assert r["ChecksumCRC32"] == crc32(data)
    got = s3.get_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == crc32(data)
    assert got["Body"].read() == data


def test_malformed_and_wrong_values(plain, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        plain.put_object(Bucket=bucket, Key="m", Body=b"x", ChecksumSHA256="bad")
    assert error_code(e) == "InvalidRequest"
    assert message(e) == "Value for x-amz-checksum-sha256 header is invalid."
    with pytest.raises(botocore.exceptions.ClientError) as e:
        plain.put_object(Bucket=bucket, Key="m", Body=b"x", ChecksumCRC32C=crc32c(b"y"))
    assert error_code(e) == "BadDigest"
    assert message(e) == "The CRC32C you specified did not match the calculated checksum."
    with pytest.raises(botocore.exceptions.ClientError):
        plain.head_object(Bucket=bucket, Key="m")


def test_create_multipart_checksum_rules(s3, bucket):
    r = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC64NVME")
    assert (r["ChecksumAlgorithm"], r["ChecksumType"]) == ("CRC64NVME", "FULL_OBJECT")
    r = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA1")
    assert (r["ChecksumAlgorithm"], r["ChecksumType"]) == ("SHA1", "COMPOSITE")
    plain_create = s3.create_multipart_upload(Bucket=bucket, Key="k")
    assert "ChecksumAlgorithm" not in plain_create and "ChecksumType" not in plain_create
    bad = [
        ({"ChecksumAlgorithm": "SHA256", "ChecksumType": "FULL_OBJECT"},
         "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm."),
        ({"ChecksumAlgorithm": "CRC64NVME", "ChecksumType": "COMPOSITE"},
         "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm."),
        ({"ChecksumType": "COMPOSITE"},
         "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header."),
    ]
    for args, text in bad:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.create_multipart_upload(Bucket=bucket, Key="k", **args)
        assert (error_code(e), message(e)) == ("InvalidRequest", text)


def upload_parts(client, bucket, key, uid, parts, first=1, **kw):
    out = []
    for i, data in enumerate(parts, first):
        r = client.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=i, Body=data, **kw)
        out.append(r)
    return out


def test_composite_sha256(s3, plain, bucket):
    parts = [os.urandom(5 * MIB), b"the tail"]
    uid = s3.create_multipart_upload(Bucket=bucket, Key="c", ChecksumAlgorithm="SHA256")["UploadId"]
    done = upload_parts(s3, bucket, "c", uid, parts, ChecksumAlgorithm="SHA256")
    assert [r["ChecksumSHA256"] for r in done] == [sha256(p) for p in parts]
    listed = s3.list_parts(Bucket=bucket, Key="c", UploadId=uid)
    assert (listed["ChecksumAlgorithm"], listed["ChecksumType"]) == ("SHA256", "COMPOSITE")
    assert [p["ChecksumSHA256"] for p in listed["Parts"]] == [sha256(p) for p in parts]
    # A part of a COMPOSITE upload must carry its checksum, in the upload's algorithm.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        plain.upload_part(Bucket=bucket, Key="c", UploadId=uid, PartNumber=3, Body=b"x")
    assert message(e) == ("Checksum Type mismatch occurred, expected checksum Type: sha256, "
                          "actual checksum Type: null")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="c", UploadId=uid, PartNumber=3, Body=b"x", ChecksumAlgorithm="CRC32")
    assert message(e) == ("Checksum Type mismatch occurred, expected checksum Type: sha256, "
                          "actual checksum Type: crc32")

    def complete(part_list, **kw):
        return s3.complete_multipart_upload(Bucket=bucket, Key="c", UploadId=uid,
                                            MultipartUpload={"Parts": part_list}, **kw)

    with_checksums = [{"PartNumber": i, "ETag": r["ETag"], "ChecksumSHA256": r["ChecksumSHA256"]}
                      for i, r in enumerate(done, 1)]
    missing = [dict(p) for p in with_checksums]
    del missing[1]["ChecksumSHA256"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        complete(missing)
    assert error_code(e) == "InvalidRequest"
    assert message(e) == ("The upload was created using a sha256 checksum. The complete request must "
                          "include the checksum for each part. It was missing for part 2 in the request.")
    wrong = [dict(p) for p in with_checksums]
    wrong[0]["ChecksumSHA256"] = sha256(b"other")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        complete(wrong)
    assert error_code(e) == "InvalidPart"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        complete(with_checksums, ChecksumSHA256=composite(sha256, [b"a", b"b"]))
    assert error_code(e) == "BadDigest"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        complete(with_checksums, ChecksumType="FULL_OBJECT")
    assert message(e) == ("The upload was created using the COMPOSITE checksum mode. "
                          "The complete request must use the same checksum mode.")

    want = composite(sha256, parts)
    r = complete(with_checksums, ChecksumSHA256=want)
    assert (r["ChecksumSHA256"], r["ChecksumType"]) == (want, "COMPOSITE")
    h = s3.head_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert (h["ChecksumSHA256"], h["ChecksumType"]) == (want, "COMPOSITE")
    # A part answers its own checksum; GetObjectAttributes gives the value without its -N.
    p2 = plain.get_object(Bucket=bucket, Key="c", PartNumber=2, ChecksumMode="ENABLED")
    assert p2["ChecksumSHA256"] == sha256(parts[1])
    assert p2["Body"].read() == parts[1]
    attrs = s3.get_object_attributes(Bucket=bucket, Key="c", ObjectAttributes=["Checksum", "ObjectParts"])
    assert attrs["Checksum"] == {"ChecksumSHA256": want[: -len("-2")], "ChecksumType": "COMPOSITE"}
    assert [p["ChecksumSHA256"] for p in attrs["ObjectParts"]["Parts"]] == [sha256(p) for p in parts]
    # A repeated completion (a lost answer) answers the same checksum.
    again = complete(with_checksums)
    assert again["ChecksumSHA256"] == want


@pytest.mark.parametrize("algorithm,fn", [("CRC32", crc32), ("CRC32C", crc32c), ("CRC64NVME", crc64nvme)])
def test_full_object_crc(s3, plain, bucket, algorithm, fn):
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB), os.urandom(1234)]
    whole = b"".join(parts)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="f", ChecksumAlgorithm=algorithm,
                                     ChecksumType="FULL_OBJECT")["UploadId"]
    field = "Checksum" + algorithm
    # A FULL_OBJECT upload computes a part checksum the client did not send.
    first = plain.upload_part(Bucket=bucket, Key="f", UploadId=uid, PartNumber=1, Body=parts[0])
    assert first[field] == fn(parts[0])
    rest = upload_parts(s3, bucket, "f", uid, parts[1:], first=2, ChecksumAlgorithm=algorithm)
    etags = [first["ETag"]] + [r["ETag"] for r in rest]
    assert s3.list_parts(Bucket=bucket, Key="f", UploadId=uid)["ChecksumType"] == "FULL_OBJECT"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="f", UploadId=uid, **{field: fn(b"nope")},
                                     MultipartUpload={"Parts": [{"PartNumber": i, "ETag": t}
                                                                for i, t in enumerate(etags, 1)]})
    assert error_code(e) == "BadDigest"
    # Part checksums are optional in the completion of a FULL_OBJECT upload.
    r = s3.complete_multipart_upload(Bucket=bucket, Key="f", UploadId=uid, **{field: fn(whole)},
                                     MultipartUpload={"Parts": [{"PartNumber": i, "ETag": t}
                                                                for i, t in enumerate(etags, 1)]})
    assert (r[field], r["ChecksumType"]) == (fn(whole), "FULL_OBJECT")
    got = plain.get_object(Bucket=bucket, Key="f", ChecksumMode="ENABLED")
    assert (got[field], got["ChecksumType"]) == (fn(whole), "FULL_OBJECT")
    assert got["Body"].read() == whole
    # A range of the whole object keeps the checksum, a partial one has none, and one part of
    # a FULL_OBJECT object says nothing.
    full = plain.get_object(Bucket=bucket, Key="f", Range="bytes=0-%d" % (len(whole) - 1), ChecksumMode="ENABLED")
    assert full[field] == fn(whole)
    assert field not in plain.get_object(Bucket=bucket, Key="f", Range="bytes=0-9", ChecksumMode="ENABLED")
    assert field not in plain.get_object(Bucket=bucket, Key="f", PartNumber=2, ChecksumMode="ENABLED")


def test_multipart_without_algorithm_gets_default(plain, bucket):
    parts = [os.urandom(5 * MIB), b"end"]
    uid = plain.create_multipart_upload(Bucket=bucket, Key="n")["UploadId"]
    done = upload_parts(plain, bucket, "n", uid, parts)
    assert all("ChecksumCRC64NVME" not in r for r in done)
    listed = plain.list_parts(Bucket=bucket, Key="n", UploadId=uid)
    assert "ChecksumAlgorithm" not in listed
    assert all("ChecksumCRC64NVME" not in p for p in listed["Parts"])
    part_list = [{"PartNumber": i, "ETag": r["ETag"]} for i, r in enumerate(done, 1)]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        plain.complete_multipart_upload(
            Bucket=bucket, Key="n", UploadId=uid,
            MultipartUpload={"Parts": [dict(part_list[0], ChecksumCRC64NVME=crc64nvme(parts[0])), part_list[1]]})
    assert error_code(e) == "InvalidPart"
    r = plain.complete_multipart_upload(Bucket=bucket, Key="n", UploadId=uid, MultipartUpload={"Parts": part_list})
    whole = b"".join(parts)
    assert (r["ChecksumCRC64NVME"], r["ChecksumType"]) == (crc64nvme(whole), "FULL_OBJECT")
    attrs = plain.get_object_attributes(Bucket=bucket, Key="n", ObjectAttributes=["ObjectParts", "Checksum"])
    assert attrs["Checksum"]["ChecksumCRC64NVME"] == crc64nvme(whole)
    assert attrs["ObjectParts"]["TotalPartsCount"] == 2
    assert all("ChecksumCRC64NVME" not in p for p in attrs["ObjectParts"].get("Parts", []))


def test_copies_compute_their_checksum(s3, plain, bucket):
    parts = [os.urandom(5 * MIB), b"tail of the source"]
    whole = b"".join(parts)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="src", ChecksumAlgorithm="SHA256")["UploadId"]
    done = upload_parts(s3, bucket, "src", uid, parts, ChecksumAlgorithm="SHA256")
    s3.complete_multipart_upload(Bucket=bucket, Key="src", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": i, "ETag": r["ETag"], "ChecksumSHA256": r["ChecksumSHA256"]} for i, r in enumerate(done, 1)]})
    # The source's algorithm, now over the whole copy.
    r = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert r["CopyObjectResult"]["ChecksumSHA256"] == sha256(whole)
    assert r["CopyObjectResult"]["ChecksumType"] == "FULL_OBJECT"
    h = s3.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    assert (h["ChecksumSHA256"], h["ChecksumType"]) == (sha256(whole), "FULL_OBJECT")
    # The algorithm asked for.
    r = s3.copy_object(Bucket=bucket, Key="dst1", CopySource={"Bucket": bucket, "Key": "src"},
                       ChecksumAlgorithm="SHA1")
    assert r["CopyObjectResult"]["ChecksumSHA1"] == sha1(whole)
    # A part copied into an upload gets the upload's algorithm over the range.
    uid = s3.create_multipart_upload(Bucket=bucket, Key="pc", ChecksumAlgorithm="CRC32C")["UploadId"]
    r = s3.upload_part_copy(Bucket=bucket, Key="pc", UploadId=uid, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=10-109")
    assert r["CopyPartResult"]["ChecksumCRC32C"] == crc32c(whole[10:110])
    s3.abort_multipart_upload(Bucket=bucket, Key="pc", UploadId=uid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        plain.copy_object(Bucket=bucket, Key="dst2", CopySource={"Bucket": bucket, "Key": "src"},
                          ChecksumAlgorithm="MD4")
    assert error_code(e) == "InvalidRequest"
