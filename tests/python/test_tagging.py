"""Object and bucket tagging as boto3 and aws-cli use it: PUT/GET/DELETE ?tagging, the
x-amz-tagging header on writes and copies, x-amz-tagging-count on reads, S3's limits."""

import botocore
import pytest

from conftest import error_code


def tagset(d):
    return [{"Key": k, "Value": v} for k, v in d.items()]


def test_object_tagging_round_trip(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"tagged")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    assert "TagCount" not in s3.head_object(Bucket=bucket, Key="t")
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": tagset({"project": "oos", "空": ""})})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == tagset({"project": "oos", "空": ""})
    assert s3.get_object(Bucket=bucket, Key="t")["TagCount"] == 2
    assert s3.get_object(Bucket=bucket, Key="t")["Body"].read() == b"tagged"
    s3.delete_object_tagging(Bucket=bucket, Key="t")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object_tagging(Bucket=bucket, Key="missing")
    assert error_code(e) == "NoSuchKey"


def test_tagging_header_on_put_multipart_and_copy(s3, bucket):
    s3.put_object(Bucket=bucket, Key="h", Body=b"x", Tagging="a=1&b=two%20words")
    assert s3.get_object_tagging(Bucket=bucket, Key="h")["TagSet"] == tagset({"a": "1", "b": "two words"})
    up = s3.create_multipart_upload(Bucket=bucket, Key="m", Tagging="stage=upload")
    etag = s3.upload_part(Bucket=bucket, Key="m", UploadId=up["UploadId"], PartNumber=1, Body=b"p")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="m")["TagSet"] == tagset({"stage": "upload"})
    # Copies keep the source's tags unless the tagging directive is REPLACE.
    s3.copy_object(Bucket=bucket, Key="c1", CopySource={"Bucket": bucket, "Key": "h"})
    assert s3.get_object_tagging(Bucket=bucket, Key="c1")["TagSet"] == tagset({"a": "1", "b": "two words"})
    s3.copy_object(Bucket=bucket, Key="c2", CopySource={"Bucket": bucket, "Key": "h"},
                   TaggingDirective="REPLACE", Tagging="new=yes")
    assert s3.get_object_tagging(Bucket=bucket, Key="c2")["TagSet"] == tagset({"new": "yes"})


@pytest.mark.parametrize("tags", [
    {f"k{i}": "v" for i in range(11)},           # more than 10
    {"k" * 129: "v"},                             # key too long
    {"k": "v" * 257},                             # value too long
    {"aws:reserved": "v"},
    {"bad;key": "v"},
])
def test_invalid_object_tags(s3, bucket, tags):
    s3.put_object(Bucket=bucket, Key="lim", Body=b"x")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object_tagging(Bucket=bucket, Key="lim", Tagging={"TagSet": tagset(tags)})
    assert error_code(e) == "InvalidTag"
    assert s3.get_object_tagging(Bucket=bucket, Key="lim")["TagSet"] == []


def test_limits_that_are_allowed_and_duplicates(s3, bucket):
    s3.put_object(Bucket=bucket, Key="max", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="max", Tagging={"TagSet": tagset({f"k{i}": "v" * 256 for i in range(9)} | {"k" * 128: ""})})
    assert len(s3.get_object_tagging(Bucket=bucket, Key="max")["TagSet"]) == 10
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object_tagging(Bucket=bucket, Key="max", Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]})
    assert error_code(e) == "InvalidTag"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="hdr", Body=b"x", Tagging="aws:x=1")
    assert error_code(e) == "InvalidTag"


def test_bucket_tagging(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_code(e) == "NoSuchTagSet"
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tagset({"team": "storage", "cost-center": "42"})})
    # Listed in key order (as S3 does), not in the order written.
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tagset({"cost-center": "42", "team": "storage"})
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tagset({f"k{i}": "" for i in range(51)})})
    assert error_code(e) == "InvalidTag"
    s3.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_code(e) == "NoSuchTagSet"


def test_tag_sets_are_listed_in_key_order(s3, bucket):
    s3.put_object(Bucket=bucket, Key="ordered", Body=b"1")
    tags = [{"Key": k, "Value": v} for k, v in [("b", "1"), ("a", "2"), ("C", "3"), ("a b", "4")]]
    s3.put_object_tagging(Bucket=bucket, Key="ordered", Tagging={"TagSet": tags})
    got = s3.get_object_tagging(Bucket=bucket, Key="ordered")["TagSet"]
    assert [(t["Key"], t["Value"]) for t in got] == [("C", "3"), ("a", "2"), ("a b", "4"), ("b", "1")]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    got = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert [t["Key"] for t in got] == ["C", "a", "a b", "b"]
