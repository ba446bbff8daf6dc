"""The staff console: server-rendered pages over the control plane's services, scoped by
`schoolgate.control.access`. Views hold no business logic; they call `services.py`."""
