#!/bin/sh
# One-shot set-up of compose's MinIO for the media store (run by the minio-init service, minio/mc image):
# the bucket MEDIA_S3_BUCKET, and a user MEDIA_S3_ACCESS_KEY_ID / MEDIA_S3_SECRET_ACCESS_KEY that may read, write and
# delete objects in that bucket only, so the servers never hold MinIO's root credentials. Every step may run again:
# the bucket is kept, the policy and the user's secret are rewritten, attaching an attached policy succeeds.
set -eu

: "${MINIO_URL:=http://minio:9000}"
: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}" "${MEDIA_S3_BUCKET:?}" "${MEDIA_S3_ACCESS_KEY_ID:?}" "${MEDIA_S3_SECRET_ACCESS_KEY:?}"

policy="${TMPDIR:-/tmp}/balagh-media-policy.json"
printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetBucketLocation","s3:ListBucket"],"Resource":["arn:aws:s3:::%s"]},{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":["arn:aws:s3:::%s/*"]}]}\n' \
  "$MEDIA_S3_BUCKET" "$MEDIA_S3_BUCKET" >"$policy"

mc alias set local "$MINIO_URL" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "local/$MEDIA_S3_BUCKET"
mc admin policy create local balagh-media "$policy"
mc admin user add local "$MEDIA_S3_ACCESS_KEY_ID" "$MEDIA_S3_SECRET_ACCESS_KEY"
mc admin policy attach local balagh-media --user "$MEDIA_S3_ACCESS_KEY_ID"
rm -f "$policy"
