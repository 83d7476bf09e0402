"""Everything that talks to a chain through ape: accounts, deployment, the deployed system."""
