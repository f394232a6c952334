"""Module HTTP endpoints: raw requests (a provider's callback, a merchant's signed API
call) answered by module code, beside the GraphQL API."""
