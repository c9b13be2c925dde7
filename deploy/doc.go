// Package deploy checks the deployment files where they cannot run: there
// is no Docker engine on the machines that build and test chgkbot, so its
// tests load docker-compose.yml with the Compose specification's own
// loader, read the Dockerfile, and check that the binary is static.
package deploy
