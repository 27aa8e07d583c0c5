"""Multipart uploads: parts, completion rules, listing, abort, copy of ranges."""

import hashlib
import os

import botocore
import pytest

from conftest import error_code

MIB = 1024 * 1024


def test_multipart_round_trip_and_etag(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="big", ContentType="application/x-test", Metadata={"a": "b"})
    uid = up["UploadId"]
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB), b"tail"]
    etags = []
    for i, data in enumerate(parts, 1):
        etags.append(s3.upload_part(Bucket=bucket, Key="big", UploadId=uid, PartNumber=i, Body=data)["ETag"])
    # Re-uploading a part replaces it.
    parts[1] = os.urandom(5 * MIB)
    etags[1] = s3.upload_part(Bucket=bucket, Key="big", UploadId=uid, PartNumber=2, Body=parts[1])["ETag"]
    listed = s3.list_parts(Bucket=bucket, Key="big", UploadId=uid)
    assert [p["PartNumber"] for p in listed["Parts"]] == [1, 2, 3]
    assert [p["ETag"] for p in listed["Parts"]] == etags
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="big", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": i, "ETag": e} for i, e in enumerate(etags, 1)]},
    )
    md5s = b"".join(hashlib.md5(p).digest() for p in parts)
    assert done["ETag"] == '"%s-3"' % hashlib.md5(md5s).hexdigest()
    got = s3.get_object(Bucket=bucket, Key="big")
    assert got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"a": "b"}
    assert got["Body"].read() == b"".join(parts)
    ranged = s3.get_object(Bucket=bucket, Key="big", Range="bytes=%d-%d" % (5 * MIB - 3, 5 * MIB + 2))
    assert ranged["Body"].read() == b"".join(parts)[5 * MIB - 3:5 * MIB + 3]
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.list_parts(Bucket=bucket, Key="big", UploadId=uid)
    assert error_code(e) == "NoSuchUpload"


def test_complete_rules(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="r")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="r", UploadId=uid, PartNumber=1, Body=b"small")["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="r", UploadId=uid, PartNumber=2, Body=b"small")["ETag"]

    def complete(parts):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.complete_multipart_upload(Bucket=bucket, Key="r", UploadId=uid, MultipartUpload={"Parts": parts})
        return error_code(e)

    assert complete([{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]) == "EntityTooSmall"
    assert complete([{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]) == "InvalidPartOrder"
    assert complete([{"PartNumber": 1, "ETag": '"00"'}]) == "InvalidPart"
    assert complete([{"PartNumber": 3, "ETag": e1}]) == "InvalidPart"
    # A single small part is fine: the last part may be small.
    s3.complete_multipart_upload(Bucket=bucket, Key="r", UploadId=uid, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}]})
    assert s3.get_object(Bucket=bucket, Key="r")["Body"].read() == b"small"


def test_part_number_bounds(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="p")["UploadId"]
    for n in (0, 10001):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.upload_part(Bucket=bucket, Key="p", UploadId=uid, PartNumber=n, Body=b"x")
        assert error_code(e) == "InvalidArgument"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="p", UploadId="nosuchupload", PartNumber=1, Body=b"x")
    assert error_code(e) == "NoSuchUpload"


def test_list_parts_pagination_and_abort(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="lp")["UploadId"]
    for n in range(1, 6):
        s3.upload_part(Bucket=bucket, Key="lp", UploadId=uid, PartNumber=n, Body=b"x" * n)
    first = s3.list_parts(Bucket=bucket, Key="lp", UploadId=uid, MaxParts=2)
    assert first["IsTruncated"] is True
    assert [p["PartNumber"] for p in first["Parts"]] == [1, 2]
    assert first["NextPartNumberMarker"] == 2
    rest = s3.list_parts(Bucket=bucket, Key="lp", UploadId=uid, PartNumberMarker=2)
    assert [p["PartNumber"] for p in rest["Parts"]] == [3, 4, 5]
    assert [p["Size"] for p in rest["Parts"]] == [3, 4, 5]
    assert rest["IsTruncated"] is False
    r = s3.abort_multipart_upload(Bucket=bucket, Key="lp", UploadId=uid)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.abort_multipart_upload(Bucket=bucket, Key="lp", UploadId=uid)
    assert error_code(e) == "NoSuchUpload"


def test_list_multipart_uploads_markers(s3, bucket):
    ids = {}
    for k in ["a", "b", "b", "c/d"]:
        ids.setdefault(k, []).append(s3.create_multipart_upload(Bucket=bucket, Key=k)["UploadId"])
    everything = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [u["Key"] for u in everything] == ["a", "b", "b", "c/d"]
    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert page["IsTruncated"] is True
    nxt = s3.list_multipart_uploads(Bucket=bucket, KeyMarker=page["NextKeyMarker"], UploadIdMarker=page["NextUploadIdMarker"])
    assert [u["Key"] for u in page["Uploads"] + nxt["Uploads"]] == ["a", "b", "b", "c/d"]
    delim = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in delim["CommonPrefixes"]] == ["c/"]


def test_upload_part_copy_with_range(s3, bucket):
    src = os.urandom(6 * MIB)
    s3.put_object(Bucket=bucket, Key="src", Body=src)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    p1 = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=1,
                             CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=0-%d" % (5 * MIB - 1))
    p2 = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=2,
                             CopySource=f"{bucket}/src", CopySourceRange="bytes=%d-%d" % (5 * MIB, 6 * MIB - 1))
    assert p1["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(src[:5 * MIB]).hexdigest()
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": p1["CopyPartResult"]["ETag"]}, {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == src
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part_copy(Bucket=bucket, Key="dst2", UploadId=s3.create_multipart_upload(Bucket=bucket, Key="dst2")["UploadId"],
                            PartNumber=1, CopySource=f"{bucket}/src", CopySourceRange="bytes=%d-%d" % (7 * MIB, 8 * MIB))
    assert error_code(e) == "InvalidRange"


def test_get_part_number(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="gp")["UploadId"]
    a, b = os.urandom(5 * MIB), b"second"
    e1 = s3.upload_part(Bucket=bucket, Key="gp", UploadId=uid, PartNumber=1, Body=a)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="gp", UploadId=uid, PartNumber=2, Body=b)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="gp", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    r = s3.get_object(Bucket=bucket, Key="gp", PartNumber=2)
    assert r["Body"].read() == b
    assert r["PartsCount"] == 2


def test_repeated_completion_answers_like_the_first(s3, bucket):
    """A client whose first CompleteMultipartUpload answer was lost retries it: S3 answers 200
    with the same ETag, not NoSuchUpload. Other parts, other uploads and aborted ones still
    get NoSuchUpload, and a copy of the object is not taken for the upload."""
    uid = s3.create_multipart_upload(Bucket=bucket, Key="again")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="again", UploadId=uid, PartNumber=1, Body=b"a" * (5 * MIB))["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="again", UploadId=uid, PartNumber=2, Body=b"b")["ETag"]
    parts = {"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]}
    first = s3.complete_multipart_upload(Bucket=bucket, Key="again", UploadId=uid, MultipartUpload=parts)
    second = s3.complete_multipart_upload(Bucket=bucket, Key="again", UploadId=uid, MultipartUpload=parts)
    assert second["ETag"] == first["ETag"] and second["Key"] == "again"
    assert s3.get_object(Bucket=bucket, Key="again")["Body"].read() == b"a" * (5 * MIB) + b"b"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="again", UploadId=uid,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}]})
    assert error_code(e) == "NoSuchUpload"
    other = s3.create_multipart_upload(Bucket=bucket, Key="again")["UploadId"]
    s3.abort_multipart_upload(Bucket=bucket, Key="again", UploadId=other)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="again", UploadId=other, MultipartUpload=parts)
    assert error_code(e) == "NoSuchUpload"
    s3.copy_object(Bucket=bucket, Key="copied", CopySource=f"{bucket}/again")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="copied", UploadId=uid, MultipartUpload=parts)
    assert error_code(e) == "NoSuchUpload"
