/*
 * Opens a directory and hands its descriptor over SCM_RIGHTS to the first process that connects to
 * the abstract unix socket NAME, then exits: the receiver then holds a directory descriptor it never
 * opened by any name of its own. Prints LISTENING once the socket is ready.
 *
 * Usage: send_dirfd NAME DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3 || strlen(argv[1]) > sizeof(((struct sockaddr_un *)0)->sun_path) - 2) {
		fprintf(stderr, "usage: send_dirfd NAME DIR\n");
		return 2;
	}
	int dir = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (dir < 0 || s < 0) {
		perror("open/socket");
		return 1;
	}
	struct sockaddr_un a;
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path + 1, argv[1], strlen(argv[1])); /* sun_path[0] == 0: the abstract namespace */
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(argv[1]));
	if (bind(s, (struct sockaddr *)&a, len) != 0 || listen(s, 1) != 0) {
		perror("bind/listen");
		return 1;
	}
	printf("LISTENING\n");
	fflush(stdout);
	int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0) {
		perror("accept");
		return 1;
	}
	char byte = 'd'; /* SCM_RIGHTS needs at least one byte of data on a stream socket */
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr m;
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &dir, sizeof(dir));
	if (sendmsg(c, &m, 0) != 1) {
		perror("sendmsg");
		return 1;
	}
	return 0;
}
