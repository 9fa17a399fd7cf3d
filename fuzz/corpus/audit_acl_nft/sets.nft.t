ttable ip6 edge {
	set web_ports {
		type inet_service
		flags interval
		elements = { 80, 443, 8000-8010 }
	}

	set uplinks {
		type ifname
		elements = { "eth0",
			     "wwan0" }
	}

	chain in {
		type filter hook input priority filter; policy drop;
		iifname @uplinks ip6 saddr 2001:db8::/32 tcp dport @web_ports counter packets 0 bytes 0 accept
		ip6 saddr != { 2001:db8:1::/48, 2001:db8:2::1 } tcp dport 22 reject with tcp reset
		ip6 nexthdr ipv6-icmp accept
		udp sport 53 udp dport 1024-65535 goto dns
	}

	chain dns {
		ip6 saddr 2001:db8:53::53 accept
	}
}
