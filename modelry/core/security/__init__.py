"""Security: identities, authentication and authorization of client calls."""
