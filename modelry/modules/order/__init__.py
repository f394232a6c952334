"""order: orders paid through payment providers, callbacks that are never applied twice
(issue 16).

This slice holds only the pure layer: `states` (the declared state machine), `providers`
(the provider interface and a local HMAC-SHA256 test provider) and `callbacks` (what a
provider callback or status query may do to an order, and how much may be refunded). The
models and the `Module` manifest come later, so importing the package registers nothing.
"""
