# The article's program (seed/simple-neural-network-theory-and-implementation.txt), ported to
# Python 3 with as few changes as possible: xrange -> range, print(), sys.maxint -> sys.maxsize,
# and the data and initial weights read from stdin instead of drawn at random, so that simdnet can
# start from the same point. fit() also stops after max_T updates (the original loops until
# error <= eps) and returns every T's error; the final weights and errors go to stdout as JSON.
#
#   stdin:  {"alph", "mu", "theta", "eps", "max_T", "x": rows, "y": rows, "w": [fanIn x fanOut per layer]}
#   stdout: {"errors": [error after T = 1, 2, ...], "w": [...]}
import json
import sys

import numpy as np


class NN:
    def __init__(self, alph, mu, theta):
        self.alph = alph
        self.mu = mu
        self.theta = theta
        self.w = []
        self.output = []
        self.output_sigm = []
        self.T = 0

    def set_data(self, x, y, w):
        # create_data, with the random draws replaced by the given arrays
        self.x = np.array(x, dtype=np.float64)
        self.y = np.array(y, dtype=np.float64)
        for layer in w:
            self.w.append(np.array(layer, dtype=np.float64))
            self.output.append(np.zeros((self.x.shape[0], self.w[-1].shape[1])))
            self.output_sigm.append(np.zeros((self.x.shape[0], self.w[-1].shape[1])))

    def fit(self, eps=10e-6, max_T=None):
        errors = []
        error = sys.maxsize
        self.forward()
        while error > eps and (max_T is None or self.T < max_T):
            self.update(self.backword())
            self.forward()
            error = self.calculate_error()
            self.T += 1
            errors.append(float(error))
        return errors

    def calculate_error(self):
        return np.sum(np.power(self.y - self.output_sigm[-1], 2))

    def forward(self):
        for i_layer in range(len(self.output)):
            if i_layer == 0:
                self.output[i_layer] = self.x.dot(self.w[i_layer])
                self.output_sigm[i_layer] = self.sigmoid(self.output[i_layer])
            else:
                self.output[i_layer] = self.output_sigm[i_layer - 1].dot(self.w[i_layer])
                self.output_sigm[i_layer] = self.sigmoid(self.output[i_layer])

    def backword(self):
        result = []
        for i_layer in range(len(self.w))[::-1]:
            if i_layer == len(self.w) - 1:
                result.insert(0, self.diff(self.output_sigm[i_layer], self.y))
            else:
                result.insert(0, self.diff_mult(self.output_sigm[i_layer], result[0].dot(self.w[i_layer + 1].T)))
        return result

    def update(self, diff):
        for i_layer in range(len(self.w))[::-1]:
            if i_layer == 0:
                for i_row in range(len(diff[i_layer])):
                    self.w[i_layer] -= self.get_incremental_update_value(
                        self.x[i_row].reshape(len(self.w[i_layer]), 1),
                        diff[i_layer][i_row, :].reshape(1, self.w[i_layer].shape[1])
                    )
            else:
                for i_row in range(len(diff[i_layer])):
                    self.w[i_layer] -= self.get_incremental_update_value(
                        self.output_sigm[i_layer - 1][i_row, :].reshape(len(self.w[i_layer]), 1),
                        diff[i_layer][i_row, :].reshape(1, self.w[i_layer].shape[1])
                    )

    def get_incremental_update_value(self, input_data, diff):
        return np.kron(input_data, self.mu * diff)

    def diff(self, y, t):
        return self.alph * 2 * (y - t) * self.dsigmoid(y)

    def diff_mult(self, y, prp_value):
        return self.alph * self.dsigmoid(y) * prp_value

    def sigmoid(self, s, alph=0.01):
        return 1 / (1 + np.exp(-self.alph * (s - self.theta)))

    def dsigmoid(self, y):
        return y * (1 - y)


if __name__ == '__main__':
    spec = json.load(sys.stdin)
    nn = NN(spec['alph'], spec['mu'], spec['theta'])
    nn.set_data(spec['x'], spec['y'], spec['w'])
    errors = nn.fit(spec.get('eps', 10e-6), spec.get('max_T'))
    json.dump({'errors': errors, 'w': [w.tolist() for w in nn.w]}, sys.stdout)
