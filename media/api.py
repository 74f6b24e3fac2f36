"""/api/v1/files/: my files, upload, detail, visibility, delete."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import parsers  # the API parsers: NUL bytes and lone surrogates are a 400
from core.errors import TooLarge
from core.schema import errors
from media import selectors, services
from media.serializers import FileSerializer, FileUpdateSerializer, FileUploadSerializer

# Room for the multipart envelope around the file.
MULTIPART_OVERHEAD = 1_000_000


def refuse_oversized(request: Request) -> None:
    """Answer 413 from the Content-Length alone, before reading a byte of an oversized upload."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = services.largest_upload()
    if length > limit + MULTIPART_OVERHEAD:
        raise TooLarge(limit)


class FileListView(generics.ListAPIView):
    serializer_class = FileSerializer
    parser_classes = (parsers.MultiPartParser,)

    def get_queryset(self):
        return selectors.files_of(self.request.user)

    @extend_schema(summary="My files", tags=["files"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": FileUploadSerializer},
        responses={201: FileSerializer, **errors(413)},
        tags=["files"],
    )
    def post(self, request: Request) -> Response:
        """Upload an audio file (up to MEDIA_MAX_AUDIO_BYTES) or an image (up to MEDIA_MAX_IMAGE_BYTES)."""
        refuse_oversized(request)
        data = FileUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        file = services.file_upload(
            user=request.user, upload=data.validated_data["file"], is_public=data.validated_data["is_public"]
        )
        return Response(FileSerializer(file).data, status=status.HTTP_201_CREATED)


class FileDetailView(APIView):
    @extend_schema(responses=FileSerializer, tags=["files"])
    def get(self, request: Request, pk: int) -> Response:
        return Response(FileSerializer(selectors.file_for_viewer(request.user, pk)).data)

    @extend_schema(request=FileUpdateSerializer, responses=FileSerializer, tags=["files"])
    def patch(self, request: Request, pk: int) -> Response:
        """Make a file public or private."""
        file = selectors.file_for_viewer(request.user, pk)
        data = FileUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            FileSerializer(services.file_set_public(actor=request.user, file=file, **data.validated_data)).data
        )

    @extend_schema(responses={204: None}, tags=["files"])
    def delete(self, request: Request, pk: int) -> Response:
        """Delete the file, its tracks and the stored object."""
        services.file_delete(actor=request.user, file=selectors.file_for_viewer(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
