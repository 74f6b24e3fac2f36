"""The OpenAPI schema documents the API's one error shape on the operations that can answer it."""

import pytest
from drf_spectacular.generators import SchemaGenerator

ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def responses(schema, method, path):
    return schema["paths"][f"/api/v1/{path}"][method]["responses"]


def error_schema(response):
    return response["content"]["application/json"]["schema"]


def test_the_error_shape_is_one_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["code", "detail"]
    assert set(error["properties"]["error"]["properties"]) == {"code", "detail", "fields", "retry_after"}


def test_every_error_response_uses_the_error_component(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status >= "400" and status != "416":  # 416 is Django's Range answer, with no body
                    assert error_schema(response) == ERROR_REF, (method, path, status)


def test_a_write_on_a_hidden_or_foreign_object_documents_400_to_404_and_415(schema):
    assert set(responses(schema, "patch", "rooms/{id}/")) == {"200", "400", "401", "403", "404", "415"}


def test_a_public_read_needs_no_credentials_but_documents_a_bad_token(schema):
    operation = schema["paths"]["/api/v1/products/"]["get"]
    assert {} in operation["security"]
    assert set(operation["responses"]) == {"200", "400", "401", "404"}
    assert {} not in schema["paths"]["/api/v1/products/"]["post"]["security"]


def test_an_operation_without_input_documents_only_authentication(schema):
    assert set(responses(schema, "get", "chat/conversations/")) == {"200", "401"}


def test_declared_errors_login_throttles_and_uploads(schema):
    assert set(responses(schema, "post", "auth/login")) == {"200", "400", "401", "415", "429"}
    assert "429" in responses(schema, "post", "auth/register")
    assert "429" in responses(schema, "post", "rooms/{id}/messages/")
    assert "429" in responses(schema, "post", "chat/dm/{user_id}/")
    assert "413" in responses(schema, "post", "files/")
    assert "413" in responses(schema, "post", "tracks/")
