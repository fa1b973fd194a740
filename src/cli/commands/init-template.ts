/** The commented config/dev.yml that `kamal-dev init` writes. */
export function devYmlTemplate(service: string, keyPath: string): string {
  return `# kamal-dev configuration: one devcontainer workspace per cloud VM.
# Reference: https://www.npmjs.com/package/kamal-dev (README, "Configuration").

# Name of the service; workspaces are named after it (docker name rules).
service: ${service}

# A devcontainer.json path (ends in .json) or an image reference such as "ruby:3.2".
image: .devcontainer/devcontainer.json

provider:
  type: upcloud
  zone: us-nyc1
  plan: 1xCPU-2GB
  # storage_template: 01000000-0000-4000-8000-000030240200   # Ubuntu 24.04 (cloud-init), the default
  # disk_size: 25                                             # GiB; default: the plan's own disk
  # api_url: https://api.upcloud.com                          # or env UPCLOUD_API_URL

# Names defined in .kamal/secrets, injected into every workspace as NAME_B64 (base64).
# Credentials come from UPCLOUD_TOKEN, or UPCLOUD_USERNAME + UPCLOUD_PASSWORD, in the
# environment or .kamal/secrets; do not list them here (every workspace would see them).
secrets: []
# secrets_file: .kamal/secrets

ssh:
  key_path: ${keyPath}   # public key given to new VMs; the private key is beside it
  user: root
  port: 22

# Resource limits of every workspace container (docker run --cpus/--memory/--memory-swap).
defaults:
  cpus: 2
  memory: 4g
  # memory_swap: 8g

vms:
  count: 1        # default for deploy --count
  spread: true    # true: one workspace per VM; false: all workspaces on one VM

naming:
  pattern: "{service}-{index}"   # also {index:03}

# idle_timeout: 30m   # power each VM off after 30 minutes without SSH, docker exec or load (default 0: off)
# forwardPorts/appPort are published on the VM's loopback only, reached with kamal-dev forward.
# public: true publishes them on every interface: anyone can reach them at the VM's public address.
# ports:
#   public: true
`;
}

export const SECRETS_TEMPLATE = `# Secrets for kamal-dev, in Kamal's format (dotenv syntax).
# Keep this file out of git. Prefer references over raw values:
#   GITHUB_TOKEN=$GITHUB_TOKEN
#   DATABASE_URL=$(cat config/database_url)
#   UPCLOUD_TOKEN=$UPCLOUD_TOKEN
`;
