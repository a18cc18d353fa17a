/** Small address value types shared by every module: IPv4 addresses, CIDR networks, endpoints. */
package dev.meshjoin.api.net;
