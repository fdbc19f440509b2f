#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers on 127.0.0.1:5672 (guest/guest).
# Nothing to do if one listens (or RABBITMQ_URL points elsewhere); otherwise install Debian's
# rabbitmq-server when missing and start it detached, bound to loopback only.
set -euo pipefail

listening() { timeout 2 bash -c '</dev/tcp/127.0.0.1/5672' 2>/dev/null; }

if [ -n "${RABBITMQ_URL:-}" ]; then
  echo "RABBITMQ_URL is set: using it"; exit 0
fi
if listening; then
  echo "RabbitMQ answers on 127.0.0.1:5672"; exit 0
fi

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ! -x /usr/sbin/rabbitmq-server ]; then
  echo "Installing rabbitmq-server from Debian packages..."
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q rabbitmq-server
fi
# A broker that is installed but stopped keeps its own configuration; a fresh one (no
# rabbitmq.conf yet) is bound to loopback with a stable node name and its plugins.
if [ ! -e /etc/rabbitmq/rabbitmq.conf ]; then
  printf 'listeners.tcp.default = 127.0.0.1:5672\ndistribution.listener.interface = 127.0.0.1\nmanagement.tcp.ip = 127.0.0.1\nprometheus.tcp.ip = 127.0.0.1\n' | $SUDO tee /etc/rabbitmq/rabbitmq.conf >/dev/null
  printf 'NODENAME=rabbit@localhost\nNODE_IP_ADDRESS=127.0.0.1\nexport ERL_EPMD_ADDRESS=127.0.0.1\n' | $SUDO tee -a /etc/rabbitmq/rabbitmq-env.conf >/dev/null
  echo '[rabbitmq_management,rabbitmq_prometheus].' | $SUDO tee /etc/rabbitmq/enabled_plugins >/dev/null
  $SUDO chown rabbitmq:rabbitmq /etc/rabbitmq/* 2>/dev/null || true
fi
echo "Starting RabbitMQ..."
$SUDO /usr/sbin/rabbitmq-server -detached
# Poll the port first: await_startup exits at once if the node has not registered yet.
for _ in $(seq 240); do listening && break; sleep 0.25; done
$SUDO /usr/sbin/rabbitmqctl -q await_startup --timeout 60
listening && echo "RabbitMQ started on 127.0.0.1:5672"
