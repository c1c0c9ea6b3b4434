"""Metaflow `toplevel` extension point of the gcp_iap package (metaflow 2.19.39
`metaflow/__init__.py`: the module named by `toplevel` is loaded at the end of `import metaflow`,
when the configuration, with this package's `config` extension applied, and the plugins exist)."""
toplevel = "gcp_iap_toplevel"
