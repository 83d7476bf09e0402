"""Deployment: the versioned config, the plan of steps it resolves to, the journal that makes a
deployment resumable, and the deployer that runs the plan through ape."""
