// Package freshclone checks the deploy path as a new user meets it: a clone with nothing
// built and nothing installed, the CDK CLI pinned in package.json, and no AWS
// credentials. The pinned CLI synthesizes the stack from there (cdk.json's app builds
// what the app needs), and make bootstrap, make deploy and make diff get as far as the
// credentials, not short of them.
package freshclone
