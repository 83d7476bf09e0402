"""The members' claim page: a static site built from an epoch bundle and the deployment
artifacts (:func:`communis.claimpage.build.build_claim_page`)."""
