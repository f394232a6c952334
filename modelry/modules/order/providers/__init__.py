"""Payment providers: the interface the order module talks to (`base`) and a local test
provider with HMAC-SHA256 signatures (`local`)."""
